import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DEFAULT_PAGE_SIZE, PageQuery } from '../../common/http/page';
import { OWED } from '../../orders/order-status';
import type { MessageStatus } from '../entities/email-message.entity';

export const REMINDER_EMAIL_TYPE = 'reminder';

/**
 * A reminder message `m` one of whose orders is no longer owed with an active link (paid,
 * cancelled, its link closed): it must not go out. `$3` is the OWED status set.
 */
export const REMINDER_NO_LONGER_DUE = `EXISTS (
  SELECT 1 FROM reminders_sent r
  JOIN orders o ON o.tenant_id = r.tenant_id AND o.id = r.order_id
  WHERE r.tenant_id = m.tenant_id AND r.email_message_id = m.id
    AND (NOT (o.status = ANY($3::order_status[])) OR NOT EXISTS (
      SELECT 1 FROM payment_links link
      WHERE link.tenant_id = o.tenant_id AND link.order_id = o.id AND link.status = 'active')))`;

/** A club that reminds: its clock and its quiet hours. */
export interface RemindingClub {
  id: number;
  timezone: string;
  quiet_hours_start: string;
  quiet_hours_end: string;
}

/** One family with reminder steps due: each (order, step) its next reminder covers. */
export interface DueFamily {
  parent_id: number;
  steps: { order_id: number; step: number }[];
}

/** A family's reminder as it is written to the message ledger. */
export interface ReminderMessageRow {
  parentId: number;
  messageKey: string;
  recipient: string;
  subject: string;
  html: string;
  textBody: string;
  contentDigest: string;
}

export interface ReminderListRow {
  id: number;
  parent_id: number;
  order_id: number;
  step: number;
  sent_at: Date;
  email_message_id: number | null;
  message_status: MessageStatus | null;
}

/**
 * A mail that asks a family for money, for the minimum interval: any message of a blast that
 * went to the family itself (not redirected) and any one-off keyed mail (reminders, a declined
 * charge), queued, on its way or sent. Receipts thank; they ask for nothing.
 * Parameters: $1 tenant, $2 now, $3 interval hours; `p` is the parent.
 */
const RECENT_BILLING_MAIL = `EXISTS (
    SELECT 1 FROM email_messages m
    LEFT JOIN email_blasts b ON b.tenant_id = m.tenant_id AND b.id = m.blast_id
    WHERE m.tenant_id = $1 AND m.parent_id = p.id AND m.receipt_order_id IS NULL
      AND (m.message_key IS NOT NULL OR (m.blast_id IS NOT NULL AND b.redirect_to IS NULL))
      AND m.status IN ('queued', 'sending', 'sent')
      AND coalesce(m.sent_at, m.created_at) > $2::timestamptz - make_interval(hours => $3))`;

/**
 * Every (parent, order, step) due now in one club, grouped by family: owed orders with an active
 * pay link whose due date (the month run's date for a monthly order, else the day the order was
 * made, in the club's timezone) plus a step of `reminder_days` is today or earlier, that step not
 * yet sent, and no billing mail to the family within the interval.
 * Parameters: $1 tenant, $2 now, $3 interval hours, $4 owed statuses.
 */
const DUE_FAMILIES_SQL = `WITH club AS (
    SELECT id, timezone, reminder_days, ($2::timestamptz AT TIME ZONE timezone)::date AS today
    FROM tenants WHERE id = $1
  ), due AS (
    SELECT o.parent_id, o.id AS order_id, step.day AS step
    FROM club t
    JOIN orders o ON o.tenant_id = t.id
    JOIN parents p ON p.tenant_id = o.tenant_id AND p.id = o.parent_id
    LEFT JOIN billing_runs run ON run.tenant_id = o.tenant_id AND run.period = o.billing_period
    CROSS JOIN LATERAL unnest(t.reminder_days) AS step(day)
    WHERE o.status = ANY($4::order_status[])
      AND p.email IS NOT NULL
      AND EXISTS (SELECT 1 FROM payment_links link
                  WHERE link.tenant_id = o.tenant_id AND link.order_id = o.id AND link.status = 'active')
      AND coalesce(run.run_on, (o.created_at AT TIME ZONE t.timezone)::date) + step.day <= t.today
      AND NOT EXISTS (SELECT 1 FROM reminders_sent r
                      WHERE r.tenant_id = o.tenant_id AND r.parent_id = o.parent_id
                        AND r.order_id = o.id AND r.step = step.day)
      AND NOT ${RECENT_BILLING_MAIL}
  )
  SELECT parent_id,
         json_agg(json_build_object('order_id', order_id, 'step', step) ORDER BY order_id, step) AS steps
  FROM due GROUP BY parent_id ORDER BY parent_id`;

/** Reminders: who is due, the ledger rows that record them, and the admin list. */
@Injectable()
export class RemindersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Clubs with at least one reminder step; `tenantId` narrows to one club. */
  remindingClubs(tenantId?: number): Promise<RemindingClub[]> {
    return this.db.query(
      `SELECT id, timezone, quiet_hours_start::text, quiet_hours_end::text FROM tenants
       WHERE cardinality(reminder_days) > 0 AND ($1::int IS NULL OR id = $1) ORDER BY id`,
      [tenantId ?? null],
    );
  }

  /** In the caller's transaction, so it is read again under the club's reminder lock. */
  dueFamilies(
    manager: EntityManager,
    tenantId: number,
    now: Date,
    minIntervalHours: number,
  ): Promise<DueFamily[]> {
    return manager.query(DUE_FAMILIES_SQL, [tenantId, now, minIntervalHours, OWED]);
  }

  /**
   * Writes each family's reminder as `queued`, unless a message under its key exists already.
   * Answers the rows written, by parent.
   */
  async insertMessages(
    manager: EntityManager,
    tenantId: number,
    rows: readonly ReminderMessageRow[],
  ): Promise<{ id: number; parent_id: number }[]> {
    if (rows.length === 0) return [];
    return manager.query(
      `INSERT INTO email_messages (tenant_id, email_type, attempts, status, parent_id, message_key,
                                   recipient, subject, html, text_body, content_digest)
       SELECT $1, $2, 0, 'queued', r.parent_id, r.message_key, r.recipient, r.subject, r.html,
              r.text_body, r.content_digest
       FROM unnest($3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
         AS r(parent_id, message_key, recipient, subject, html, text_body, content_digest)
       ON CONFLICT (tenant_id, message_key) WHERE message_key IS NOT NULL DO NOTHING
       RETURNING id, parent_id`,
      [
        tenantId,
        REMINDER_EMAIL_TYPE,
        rows.map((row) => row.parentId),
        rows.map((row) => row.messageKey),
        rows.map((row) => row.recipient),
        rows.map((row) => row.subject),
        rows.map((row) => row.html),
        rows.map((row) => row.textBody),
        rows.map((row) => row.contentDigest),
      ],
    );
  }

  /** The (order, step) pairs each message covers; a pair already recorded is left as it was. */
  async recordSteps(
    manager: EntityManager,
    tenantId: number,
    steps: readonly { parentId: number; orderId: number; step: number; messageId: number }[],
  ): Promise<void> {
    if (steps.length === 0) return;
    await manager.query(
      `INSERT INTO reminders_sent (tenant_id, parent_id, order_id, step, email_message_id)
       SELECT $1, s.parent_id, s.order_id, s.step, s.message_id
       FROM unnest($2::int[], $3::int[], $4::int[], $5::int[]) AS s(parent_id, order_id, step, message_id)
       ON CONFLICT ON CONSTRAINT reminders_sent_step_key DO NOTHING`,
      [
        tenantId,
        steps.map((s) => s.parentId),
        steps.map((s) => s.orderId),
        steps.map((s) => s.step),
        steps.map((s) => s.messageId),
      ],
    );
  }

  /**
   * The due check at sending time: a queued reminder covering an order that is no longer owed
   * (paid, cancelled) or whose link closed is skipped, and its steps forgotten, so what the
   * family still owes is reminded on a later run.
   */
  async skipNoLongerDue(tenantId: number): Promise<number> {
    const [, count] = (await this.db.query(
      `WITH stale AS (
         UPDATE email_messages m SET status = 'skipped', skip_reason = 'no_longer_due'
         WHERE m.tenant_id = $1 AND m.email_type = $2 AND m.status = 'queued'
           AND ${REMINDER_NO_LONGER_DUE}
         RETURNING m.id)
       DELETE FROM reminders_sent r USING stale WHERE r.tenant_id = $1 AND r.email_message_id = stale.id
       RETURNING r.id`,
      [tenantId, REMINDER_EMAIL_TYPE, OWED],
    )) as [unknown, number];
    return count;
  }

  /** The club's reminders, oldest first, with what became of the message that carried each. */
  async page(
    tenantId: number,
    query: PageQuery,
    status?: MessageStatus,
  ): Promise<{ rows: ReminderListRow[]; limit: number }> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = (await this.db.query(
      `SELECT r.id, r.parent_id, r.order_id, r.step, r.sent_at, r.email_message_id,
              m.status AS message_status
       FROM reminders_sent r
       LEFT JOIN email_messages m ON m.tenant_id = r.tenant_id AND m.id = r.email_message_id
       WHERE r.tenant_id = $1 AND r.id > $2 AND ($3::email_message_status IS NULL OR m.status = $3)
       ORDER BY r.id LIMIT $4`,
      [tenantId, query.starting_after ?? 0, status ?? null, limit + 1],
    )) as ReminderListRow[];
    return { rows, limit };
  }
}
