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

/**
 * Claims the next queued message of a blast: committed as `sending` at once (pass a manager
 * outside any transaction), so a second worker skips it and a crash never resends it.
 */
export async function claimNextBlastMessage(
  manager: EntityManager,
  tenantId: number,
  blastId: number,
): Promise<EmailMessage | undefined> {
  return claim(
    manager,
    `SELECT id FROM email_messages WHERE tenant_id = $1 AND blast_id = $2 AND status = 'queued'
     ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED`,
    [tenantId, blastId],
  );
}

/** Claims a receipt that has not gone out yet; a concurrent or replayed job finds nothing. */
export async function claimReceipt(
  manager: EntityManager,
  tenantId: number,
  orderId: number,
): Promise<EmailMessage | undefined> {
  return claim(
    manager,
    `SELECT id FROM email_messages WHERE tenant_id = $1 AND receipt_order_id = $2 AND status = 'queued'
     FOR UPDATE SKIP LOCKED`,
    [tenantId, orderId],
  );
}

async function claim(
  manager: EntityManager,
  pick: string,
  params: unknown[],
): Promise<EmailMessage | undefined> {
  const [rows] = (await manager.query(
    `UPDATE email_messages SET status = 'sending', claimed_at = now(), attempts = attempts + 1
     WHERE id = (${pick}) RETURNING id`,
    params,
  )) as [{ id: number }[], number];
  const id = rows[0]?.id;
  return id === undefined
    ? undefined
    : ((await manager.findOneBy(EmailMessage, { id })) ?? undefined);
}

/** What the mail server said about a claimed message. */
export async function recordDelivery(
  manager: EntityManager,
  messageId: number,
  outcome: { providerMessageId: string } | { error: string },
): Promise<void> {
  if ('providerMessageId' in outcome)
    await manager.query(
      `UPDATE email_messages SET status = 'sent', sent_at = now(), provider_message_id = $2, error = NULL
       WHERE id = $1 AND status = 'sending'`,
      [messageId, outcome.providerMessageId],
    );
  else
    await manager.query(
      `UPDATE email_messages SET status = 'failed', error = $2 WHERE id = $1 AND status = 'sending'`,
      [messageId, outcome.error],
    );
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
