import { EntityManager } from 'typeorm';
import type { EmailMessage } from './entities/email-message.entity';

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

/** Claims the next queued message of a blast for this transaction; another worker skips it. */
export async function claimNextBlastMessage(
  manager: EntityManager,
  tenantId: number,
  blastId: number,
): Promise<EmailMessage | undefined> {
  return manager
    .createQueryBuilder<EmailMessage>('EmailMessage', 'm')
    .where('m.tenant_id = :tenantId AND m.blast_id = :blastId AND m.status = :status', {
      tenantId,
      blastId,
      status: 'queued',
    })
    .orderBy('m.id')
    .limit(1)
    .setLock('pessimistic_write')
    .setOnLocked('skip_locked')
    .getOne()
    .then((row) => row ?? undefined);
}

/** Claims a receipt that has not gone out yet; a concurrent or replayed job finds nothing. */
export async function claimReceipt(
  manager: EntityManager,
  tenantId: number,
  orderId: number,
): Promise<EmailMessage | undefined> {
  return manager
    .createQueryBuilder<EmailMessage>('EmailMessage', 'm')
    .where('m.tenant_id = :tenantId AND m.receipt_order_id = :orderId AND m.status = :status', {
      tenantId,
      orderId,
      status: 'queued',
    })
    .setLock('pessimistic_write')
    .setOnLocked('skip_locked')
    .getOne()
    .then((row) => row ?? undefined);
}

export async function recordDelivery(
  manager: EntityManager,
  messageId: number,
  outcome: { providerMessageId: string } | { error: string },
): Promise<void> {
  if ('providerMessageId' in outcome)
    await manager.query(
      `UPDATE email_messages SET status = 'sent', attempts = attempts + 1, sent_at = now(),
              provider_message_id = $2, error = NULL
       WHERE id = $1`,
      [messageId, outcome.providerMessageId],
    );
  else
    await manager.query(
      `UPDATE email_messages SET status = 'failed', attempts = attempts + 1, error = $2 WHERE id = $1`,
      [messageId, outcome.error],
    );
}

/** Closes a blast once nothing is queued: sent, or failed when not one message went out. */
export async function finishBlast(
  manager: EntityManager,
  tenantId: number,
  blastId: number,
): Promise<void> {
  await manager.query(
    `WITH counts AS (
       SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued,
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
