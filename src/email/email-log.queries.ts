import { EntityManager } from 'typeorm';
import { EmailMessage } from './entities/email-message.entity';

/** The SQL of the email log: blasts, their messages and receipts. Every statement is tenant-scoped. */

/** Parents whose message with exactly this digest was queued or sent to them within `hours`. */
export async function recentlySentParents(
  manager: EntityManager,
  tenantId: number,
  emailType: string,
  sent: { parentId: number; digest: string }[],
  hours: number,
): Promise<Set<number>> {
  if (sent.length === 0 || hours <= 0) return new Set();
  const rows = (await manager.query(
    `SELECT DISTINCT m.parent_id
     FROM email_messages m
     JOIN email_blasts b ON b.tenant_id = m.tenant_id AND b.id = m.blast_id
     JOIN unnest($3::int[], $4::text[]) AS wanted(parent_id, digest)
       ON wanted.parent_id = m.parent_id AND wanted.digest = m.content_digest
     WHERE m.tenant_id = $1 AND m.email_type = $2 AND b.redirect_to IS NULL
       AND m.status IN ('queued', 'sent')
       AND coalesce(m.sent_at, m.created_at) > now() - make_interval(hours => $5)`,
    [tenantId, emailType, sent.map((s) => s.parentId), sent.map((s) => s.digest), hours],
  )) as { parent_id: number }[];
  return new Set(rows.map((row) => row.parent_id));
}

export interface BlastCounts {
  queued: number;
  sent: number;
  failed: number;
  skipped: number;
}

export async function blastCounts(
  manager: EntityManager,
  tenantId: number,
  blastId: number,
): Promise<BlastCounts> {
  const [row] = (await manager.query(
    `SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued,
            count(*) FILTER (WHERE status = 'sent')::int AS sent,
            count(*) FILTER (WHERE status = 'failed')::int AS failed,
            count(*) FILTER (WHERE status = 'skipped')::int AS skipped
     FROM email_messages WHERE tenant_id = $1 AND blast_id = $2`,
    [tenantId, blastId],
  )) as BlastCounts[];
  return row;
}

export interface MessageSummary {
  parent_id: number;
  recipient: string | null;
  status: string;
  skip_reason: string | null;
  error: string | null;
  attempts: number;
}

/** The messages an admin needs to look at: failed and skipped ones. */
export function blastProblems(
  manager: EntityManager,
  tenantId: number,
  blastId: number,
): Promise<MessageSummary[]> {
  return manager.query(
    `SELECT parent_id, recipient, status, skip_reason, error, attempts
     FROM email_messages
     WHERE tenant_id = $1 AND blast_id = $2 AND status IN ('failed', 'skipped')
     ORDER BY status, parent_id`,
    [tenantId, blastId],
  ) as Promise<MessageSummary[]>;
}

/** How long a `sending` row may wait for its worker before it counts as interrupted. */
const INTERRUPTED_AFTER = '5 minutes';

/** What a worker needs to send a claimed message. */
export type ClaimedMessage = Pick<
  EmailMessage,
  'id' | 'blastId' | 'recipient' | 'subject' | 'html' | 'textBody'
>;

/**
 * Claims up to `limit` queued messages of a blast, oldest first: committed as `sending` at once
 * (pass a manager outside any transaction), before any of them is sent, so a second worker skips
 * them and a crash never resends them.
 */
export function claimBlastMessages(
  manager: EntityManager,
  tenantId: number,
  blastId: number,
  limit: number,
): Promise<ClaimedMessage[]> {
  return claim(
    manager,
    `SELECT id FROM email_messages WHERE tenant_id = $1 AND blast_id = $2 AND status = 'queued'
     ORDER BY id LIMIT $3`,
    [tenantId, blastId, limit],
  );
}

/** Claims a receipt that has not gone out yet; a concurrent or replayed job finds nothing. */
export async function claimReceipt(
  manager: EntityManager,
  tenantId: number,
  orderId: number,
): Promise<ClaimedMessage | undefined> {
  const [message] = await claim(
    manager,
    `SELECT id FROM email_messages WHERE tenant_id = $1 AND receipt_order_id = $2 AND status = 'queued'`,
    [tenantId, orderId],
  );
  return message;
}

/** The one claim: the `picked` queued rows become `sending`, skipping rows another worker holds. */
async function claim(
  manager: EntityManager,
  picked: string,
  params: unknown[],
): Promise<ClaimedMessage[]> {
  const [rows] = (await manager.query(
    `WITH picked AS (${picked} FOR UPDATE SKIP LOCKED)
     UPDATE email_messages m SET status = 'sending', claimed_at = now(), attempts = m.attempts + 1
     FROM picked WHERE m.id = picked.id
     RETURNING m.id, m.blast_id, m.recipient, m.subject, m.html, m.text_body`,
    params,
  )) as [ClaimedRow[], number];
  return rows
    .map((row) => ({
      id: row.id,
      blastId: row.blast_id,
      recipient: row.recipient,
      subject: row.subject,
      html: row.html,
      textBody: row.text_body,
    }))
    .sort((a, b) => a.id - b.id);
}

interface ClaimedRow {
  id: number;
  blast_id: number | null;
  recipient: string | null;
  subject: string;
  html: string | null;
  text_body: string | null;
}

/** What the mail server said about one claimed message. */
export type DeliveryOutcome = { messageId: number } & (
  { providerMessageId: string } | { error: string }
);

/** Records what the mail server said about claimed messages, in one statement. */
export async function recordDeliveries(
  manager: EntityManager,
  tenantId: number,
  outcomes: readonly DeliveryOutcome[],
): Promise<void> {
  if (outcomes.length === 0) return;
  await manager.query(
    `UPDATE email_messages m
     SET status = CASE WHEN o.error IS NULL THEN 'sent' ELSE 'failed' END::email_message_status,
         sent_at = CASE WHEN o.error IS NULL THEN now() ELSE m.sent_at END,
         provider_message_id = coalesce(o.provider_message_id, m.provider_message_id),
         error = o.error
     FROM unnest($2::int[], $3::text[], $4::text[]) AS o(id, provider_message_id, error)
     WHERE m.tenant_id = $1 AND m.id = o.id AND m.status = 'sending'`,
    [
      tenantId,
      outcomes.map((outcome) => outcome.messageId),
      outcomes.map((outcome) =>
        'providerMessageId' in outcome ? outcome.providerMessageId : null,
      ),
      outcomes.map((outcome) => ('error' in outcome ? outcome.error : null)),
    ],
  );
}

/** One row of a blast: a family's rendered message, or why it gets none. */
export interface BlastMessageRow {
  parentId: number;
  recipient: string | null;
  subject: string;
  html: string | null;
  textBody: string | null;
  contentDigest: string;
  status: 'queued' | 'skipped';
  skipReason: string | null;
}

/** A bound parameter per value: PostgreSQL takes at most 65,535 in one statement. */
const ROWS_PER_INSERT = 1000;
const MESSAGE_ROW_TYPES = ['int', 'text', 'text', 'text', 'text', 'text', 'text', 'text'];

/**
 * Writes rows of a blast, up to ROWS_PER_INSERT per statement. Each value is its own parameter
 * (not one array per column): a message's HTML goes to the server as it is, with no escaped
 * copy of every row's HTML built in memory first.
 */
export async function insertBlastMessages(
  manager: EntityManager,
  tenantId: number,
  blastId: number,
  emailType: string,
  rows: readonly BlastMessageRow[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
    const slice = rows.slice(start, start + ROWS_PER_INSERT);
    const values = slice.map((_, row) => {
      const first = 4 + row * MESSAGE_ROW_TYPES.length;
      return `(${MESSAGE_ROW_TYPES.map((type, column) => `$${first + column}::${type}`).join(', ')})`;
    });
    await manager.query(
      `INSERT INTO email_messages (tenant_id, blast_id, email_type, attempts, parent_id, recipient,
                                   subject, html, text_body, content_digest, status, skip_reason)
       SELECT $1, $2, $3, 0, r.parent_id, r.recipient, r.subject, r.html, r.text_body,
              r.content_digest, r.status::email_message_status, r.skip_reason
       FROM (VALUES ${values.join(', ')})
         AS r(parent_id, recipient, subject, html, text_body, content_digest, status, skip_reason)`,
      [
        tenantId,
        blastId,
        emailType,
        ...slice.flatMap((row) => [
          row.parentId,
          row.recipient,
          row.subject,
          row.html,
          row.textBody,
          row.contentDigest,
          row.status,
          row.skipReason,
        ]),
      ],
    );
  }
}

/**
 * Messages whose worker died mid-send may or may not have reached the family: they become
 * failed with a reason that says so, and are sent again only when an admin asks (retry-failed).
 */
export async function markInterrupted(
  manager: EntityManager,
  tenantId: number,
  blastId: number,
): Promise<number> {
  const [, count] = (await manager.query(
    `UPDATE email_messages
     SET status = 'failed', error = 'interrupted while sending: it may have reached the family; check before retrying'
     WHERE tenant_id = $1 AND blast_id = $2 AND status = 'sending' AND claimed_at < now() - interval '${INTERRUPTED_AFTER}'`,
    [tenantId, blastId],
  )) as [unknown, number];
  return count;
}

/** Closes a blast once nothing is queued: sent, or failed when not one message went out. */
export async function finishBlast(
  manager: EntityManager,
  tenantId: number,
  blastId: number,
): Promise<void> {
  await manager.query(
    `WITH counts AS (
       SELECT count(*) FILTER (WHERE status IN ('queued', 'sending'))::int AS queued,
              count(*) FILTER (WHERE status = 'sent')::int AS sent,
              count(*) FILTER (WHERE status = 'failed')::int AS failed
       FROM email_messages WHERE tenant_id = $1 AND blast_id = $2
     )
     UPDATE email_blasts b
     SET sent_count = c.sent, failed_count = c.failed,
         status = CASE WHEN c.sent = 0 AND c.failed > 0 THEN 'failed' ELSE 'sent' END::email_blast_status,
         finished_at = now()
     FROM counts c
     WHERE b.tenant_id = $1 AND b.id = $2 AND b.status = 'sending' AND c.queued = 0`,
    [tenantId, blastId],
  );
}

/** Puts a blast's failed messages back in the queue; answers how many. */
export async function requeueFailed(
  manager: EntityManager,
  tenantId: number,
  blastId: number,
): Promise<number> {
  const [, count] = (await manager.query(
    `UPDATE email_messages SET status = 'queued'
     WHERE tenant_id = $1 AND blast_id = $2 AND status = 'failed'`,
    [tenantId, blastId],
  )) as [unknown, number];
  if (count > 0)
    await manager.query(
      `UPDATE email_blasts SET status = 'sending', finished_at = NULL
       WHERE tenant_id = $1 AND id = $2 AND status IN ('sent', 'failed')`,
      [tenantId, blastId],
    );
  return count;
}

/**
 * Stops a blast that has not finished: it ends `cancelled` and its queued messages are skipped
 * as `cancelled`. A message a worker has already claimed still goes out (it may be on the wire).
 * Answers how many messages were held back, or undefined when the blast was already over.
 */
export async function cancelBlast(
  manager: EntityManager,
  tenantId: number,
  blastId: number,
): Promise<number | undefined> {
  const stopped = (await manager.query(
    `UPDATE email_blasts SET status = 'cancelled', finished_at = now()
     WHERE tenant_id = $1 AND id = $2 AND status IN ('previewed', 'sending') RETURNING id`,
    [tenantId, blastId],
  )) as [unknown[], number];
  if (stopped[1] === 0) return undefined;
  const [, held] = (await manager.query(
    `UPDATE email_messages SET status = 'skipped', skip_reason = 'cancelled'
     WHERE tenant_id = $1 AND blast_id = $2 AND status = 'queued'`,
    [tenantId, blastId],
  )) as [unknown, number];
  return held;
}

/** Moves a previewed blast to sending; false when it had already left `previewed`. */
export async function approveBlast(
  manager: EntityManager,
  tenantId: number,
  blastId: number,
): Promise<boolean> {
  const [, count] = (await manager.query(
    `UPDATE email_blasts SET status = 'sending', approved_at = now()
     WHERE tenant_id = $1 AND id = $2 AND status = 'previewed'`,
    [tenantId, blastId],
  )) as [unknown, number];
  return count === 1;
}

export interface ReceiptFacts {
  order_id: number;
  parent_id: number;
  parent_name: string;
  email: string | null;
  player_name: string;
  item: string;
  amount_cents: number;
  currency: string;
  paid_at: Date;
}

/** What a receipt says about a paid order; nothing when the order is not paid. */
export async function receiptFacts(
  manager: EntityManager,
  tenantId: number,
  orderId: number,
): Promise<ReceiptFacts | undefined> {
  const [row] = (await manager.query(
    `SELECT o.id AS order_id, o.parent_id, p.name AS parent_name, p.email,
            pl.name AS player_name, pr.name AS item, o.amount_paid_cents AS amount_cents,
            trim(o.currency) AS currency, o.paid_at
     FROM orders o
     JOIN parents p ON p.tenant_id = o.tenant_id AND p.id = o.parent_id
     JOIN players pl ON pl.tenant_id = o.tenant_id AND pl.id = o.player_id
     JOIN products pr ON pr.tenant_id = o.tenant_id AND pr.id = o.product_id
     WHERE o.tenant_id = $1 AND o.id = $2 AND o.paid_at IS NOT NULL`,
    [tenantId, orderId],
  )) as ReceiptFacts[];
  return row;
}
