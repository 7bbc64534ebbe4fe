import { secondsUntilMailable } from '../../common/month/billing-month';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CANCELLED, OWED } from '../../orders/order-status';

export const SKIP_REASONS = [
  'not_signed',
  'not_started',
  'outside_season',
  'no_fee',
  'already_billed',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** One player as the month run sees them: billed (skip_reason null) or skipped, and why. */
export interface RosterMonth {
  player_id: number;
  player_name: string;
  parent_id: number;
  product_id: number | null;
  fee_cents: number | null;
  currency: string | null;
  skip_reason: SkipReason | null;
  /** The period's order, when it exists. */
  order_id: number | null;
  /** The card the run would charge (`visa •4242`), or null: the family gets a Pay Now link. */
  autopay_card: string | null;
}

export interface BillingRunRow {
  id: number;
  tenant_id: number;
  period: string;
  status: 'planned' | 'running' | 'done' | 'failed';
  run_on: string;
  orders_created: number;
  charged: number;
  charge_failed: number;
  links_minted: number;
  skipped: { player_id: number; player_name: string; reason: SkipReason }[];
  error: string | null;
  started_at: Date | null;
  finished_at: Date | null;
  created_at: Date;
}

/** An order the run made, with what settling it needs: the family's card and its last try. */
export interface RunOrder {
  order_id: number;
  player_id: number;
  player_name: string;
  parent_id: number;
  parent_name: string;
  product_id: number;
  amount_cents: number;
  currency: string;
  status: string;
  owed: boolean;
  billing_period: string;
  autopay_allowed: boolean;
  stripe_customer_id: string | null;
  payment_method_id: string | null;
  card_brand: string | null;
  card_last4: string | null;
  card_removed: boolean;
  active_link_url: string | null;
  last_attempt: number | null;
  last_attempt_status: 'processing' | 'succeeded' | 'failed' | 'requires_action' | null;
}

const RUN_COLUMNS = `id, tenant_id, period::text AS period, status, run_on::text AS run_on, orders_created,
  charged, charge_failed, links_minted, skipped, error, started_at, finished_at, created_at`;

/** The month run's reads and its `billing_runs` rows. */
@Injectable()
export class MonthRunRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Every player of the club for `period` (first day): whether the run bills them, and if not
   * why. One statement for the whole club. `runId` (when the run exists) tells the orders it made
   * from a month already billed otherwise (a first month paid by its link).
   */
  async roster(
    manager: EntityManager,
    tenantId: number,
    period: string,
    runId: number | null,
  ): Promise<RosterMonth[]> {
    return (await manager.query(
      `WITH monthly AS (
         SELECT pr.id, trim(pr.currency) AS currency FROM products pr
         WHERE pr.tenant_id = $1 AND pr.category = 'monthly' AND pr.active
         ORDER BY pr.id LIMIT 1
       )
       SELECT pl.id AS player_id, pl.name AS player_name, pl.parent_id, m.id AS product_id,
              COALESCE(pl.monthly_fee_cents, t.monthly_fee_cents) AS fee_cents, m.currency,
              billed.id AS order_id,
              CASE WHEN tn.autopay_enabled AND p.autopay AND p.autopay_payment_method_id IS NOT NULL
                   THEN p.card_brand || ' •' || p.card_last4 END AS autopay_card,
              CASE
                WHEN billed.id IS NOT NULL AND billed.billing_run_id = $3::int THEN NULL
                WHEN billed.id IS NOT NULL THEN 'already_billed'
                WHEN pl.contract_status <> 'signed' THEN 'not_signed'
                WHEN m.id IS NULL OR COALESCE(pl.monthly_fee_cents, t.monthly_fee_cents, 0) < 1 THEN 'no_fee'
                WHEN $2::date < t.billing_starts_on OR $2::date > t.billing_ends_on THEN 'outside_season'
                WHEN NOT EXISTS (
                  SELECT 1 FROM orders o
                  WHERE o.tenant_id = pl.tenant_id AND o.player_id = pl.id AND o.product_id = m.id
                    AND o.status <> ALL($4::order_status[])) THEN 'not_started'
              END AS skip_reason
       FROM players pl
       JOIN tenants tn ON tn.id = pl.tenant_id
       JOIN parents p ON p.tenant_id = pl.tenant_id AND p.id = pl.parent_id
       LEFT JOIN teams t ON t.tenant_id = pl.tenant_id AND t.id = pl.team_id
       LEFT JOIN monthly m ON true
       LEFT JOIN orders billed
         ON billed.tenant_id = pl.tenant_id AND billed.player_id = pl.id AND billed.product_id = m.id
        AND billed.billing_period = $2::date AND billed.status <> ALL($4::order_status[])
       WHERE pl.tenant_id = $1
       ORDER BY pl.id`,
      [tenantId, period, runId, CANCELLED],
    )) as RosterMonth[];
  }

  /** The club's month settings the run reads, with how long its quiet hours last at `mailAt`. */
  async settings(
    tenantId: number,
    mailAt: Date,
  ): Promise<{ timezone: string; auto_send_statements: boolean; quiet_wait_seconds: number }> {
    const [row] = (await this.db.query(
      `SELECT timezone, auto_send_statements, quiet_hours_start::text, quiet_hours_end::text
       FROM tenants WHERE id = $1`,
      [tenantId],
    )) as {
      timezone: string;
      auto_send_statements: boolean;
      quiet_hours_start: string;
      quiet_hours_end: string;
    }[];
    return {
      timezone: row.timezone,
      auto_send_statements: row.auto_send_statements,
      quiet_wait_seconds: secondsUntilMailable(mailAt, {
        timezone: row.timezone,
        quietHoursStart: row.quiet_hours_start,
        quietHoursEnd: row.quiet_hours_end,
      }),
    };
  }

  find(tenantId: number, period: string): Promise<BillingRunRow | undefined> {
    return this.one(
      `SELECT ${RUN_COLUMNS} FROM billing_runs WHERE tenant_id = $1 AND period = $2`,
      [tenantId, period],
    );
  }

  byId(tenantId: number, id: number): Promise<BillingRunRow | undefined> {
    return this.one(`SELECT ${RUN_COLUMNS} FROM billing_runs WHERE tenant_id = $1 AND id = $2`, [
      tenantId,
      id,
    ]);
  }

  async page(tenantId: number, startingAfter: number | undefined, limit: number) {
    return (await this.db.query(
      `SELECT ${RUN_COLUMNS} FROM billing_runs
       WHERE tenant_id = $1 AND ($2::int IS NULL OR id < $2)
       ORDER BY id DESC LIMIT $3`,
      [tenantId, startingAfter ?? null, limit],
    )) as BillingRunRow[];
  }

  /** The run of the period, made if there is none (a second instance or click finds it). */
  async claim(
    manager: EntityManager,
    tenantId: number,
    period: string,
    runOn: string,
  ): Promise<BillingRunRow> {
    await manager.query(
      `INSERT INTO billing_runs (tenant_id, period, run_on, status, started_at)
       VALUES ($1, $2, $3, 'running', now())
       ON CONFLICT (tenant_id, period) DO UPDATE
         SET status = 'running', error = NULL, finished_at = NULL
         WHERE billing_runs.status <> 'running'`,
      [tenantId, period, runOn],
    );
    const [run] = (await manager.query(
      `SELECT ${RUN_COLUMNS} FROM billing_runs WHERE tenant_id = $1 AND period = $2 FOR UPDATE`,
      [tenantId, period],
    )) as BillingRunRow[];
    return run;
  }

  /** The orders the run made (or the one order), oldest first, with the family's card and each order's last try. */
  async orders(tenantId: number, runId: number | null, orderId?: number): Promise<RunOrder[]> {
    return (await this.db.query(
      `SELECT o.id AS order_id, o.player_id, pl.name AS player_name, o.parent_id, p.name AS parent_name,
              o.product_id, o.amount_cents, trim(o.currency) AS currency, o.status,
              o.status = ANY($3::order_status[]) AS owed, o.billing_period::text AS billing_period,
              (tn.autopay_enabled AND p.autopay) AS autopay_allowed, p.stripe_customer_id,
              p.autopay_payment_method_id AS payment_method_id, p.card_brand, p.card_last4,
              (p.card_removed_at IS NOT NULL AND p.autopay_payment_method_id IS NULL) AS card_removed,
              l.url AS active_link_url, a.attempt AS last_attempt, a.status AS last_attempt_status
       FROM orders o
       JOIN tenants tn ON tn.id = o.tenant_id
       JOIN parents p ON p.tenant_id = o.tenant_id AND p.id = o.parent_id
       JOIN players pl ON pl.tenant_id = o.tenant_id AND pl.id = o.player_id
       LEFT JOIN payment_links l ON l.tenant_id = o.tenant_id AND l.order_id = o.id AND l.status = 'active'
       LEFT JOIN LATERAL (
         SELECT c.attempt, c.status FROM charge_attempts c
         WHERE c.tenant_id = o.tenant_id AND c.order_id = o.id ORDER BY c.attempt DESC LIMIT 1
       ) a ON true
       WHERE o.tenant_id = $1 AND ($2::int IS NULL OR o.billing_run_id = $2)
         AND ($4::int IS NULL OR o.id = $4)
       ORDER BY o.id`,
      [tenantId, runId, OWED, orderId ?? null],
    )) as RunOrder[];
  }

  /** The counts of what the run did, from the rows themselves (so a re-run adds up the same). */
  async finish(
    tenantId: number,
    runId: number,
    outcome: { status: 'done' | 'failed'; error?: string; skipped: BillingRunRow['skipped'] },
  ): Promise<void> {
    await this.db.query(
      `UPDATE billing_runs r SET status = $3, error = $4, skipped = $5::jsonb, finished_at = now(),
              orders_created = c.orders, charged = c.charged, charge_failed = c.failed, links_minted = c.links
       FROM (
         SELECT count(DISTINCT o.id)::int AS orders,
                count(DISTINCT o.id) FILTER (WHERE a.status = 'succeeded')::int AS charged,
                count(DISTINCT o.id) FILTER (WHERE a.status IN ('failed', 'requires_action'))::int AS failed,
                count(DISTINCT l.id)::int AS links
         FROM orders o
         LEFT JOIN charge_attempts a ON a.tenant_id = o.tenant_id AND a.order_id = o.id
         LEFT JOIN payment_links l ON l.tenant_id = o.tenant_id AND l.order_id = o.id
         WHERE o.tenant_id = $1 AND o.billing_run_id = $2
       ) c
       WHERE r.tenant_id = $1 AND r.id = $2`,
      [tenantId, runId, outcome.status, outcome.error ?? null, JSON.stringify(outcome.skipped)],
    );
  }

  /**
   * Clubs whose billing moment of their current local month has passed and whose run is not done.
   * A club that joined after this month's moment is first billed next month (no surprise run on
   * the day it starts using Courtside).
   */
  async clubsDue(): Promise<{ tenant_id: number; period: string; run_on: string }[]> {
    return (await this.db.query(
      `SELECT t.id AS tenant_id, date_trunc('month', l.local)::date::text AS period, l.local::date::text AS run_on
       FROM tenants t
       CROSS JOIN LATERAL (SELECT now() AT TIME ZONE t.timezone AS local) l
       CROSS JOIN LATERAL (
         SELECT date_trunc('month', l.local)
                + make_interval(days => t.billing_day - 1, hours => t.billing_hour_local) AS local_moment
       ) m
       WHERE l.local >= m.local_moment
         AND t.created_at <= m.local_moment AT TIME ZONE t.timezone
         AND NOT EXISTS (SELECT 1 FROM billing_runs r
                         WHERE r.tenant_id = t.id AND r.period = date_trunc('month', l.local)::date
                           AND r.status = 'done')`,
    )) as { tenant_id: number; period: string; run_on: string }[];
  }

  private async one(sql: string, params: unknown[]): Promise<BillingRunRow | undefined> {
    const [row] = (await this.db.query(sql, params)) as BillingRunRow[];
    return row;
  }
}
