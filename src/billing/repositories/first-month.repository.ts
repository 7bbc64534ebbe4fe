import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { CHARGED } from '../../orders/order-status';

/** One player's first month as a click or an operator decides on it. */
export interface PlayerFirstMonth {
  player_id: number;
  tenant_id: number;
  contract_status: string;
  /** Null when neither the player nor the team has a fee. */
  fee_cents: number | null;
  /** The club's monthly product; null when it has none. */
  product_id: number | null;
  token: string;
  club_name: string;
  /** The club's timezone: the first month is the club's current local month. */
  timezone: string;
}

export interface FirstPaymentFamily {
  parent_id: number;
  parent_name: string;
  email: string | null;
  players: {
    player_id: number;
    player_name: string;
    product_id: number;
    fee_cents: number;
    currency: string;
    token: string;
    item: string;
  }[];
  digest: string;
}

/**
 * The first month of the players `players` selects (a condition on `pl`): the club's monthly
 * product (its first active one) and the flat fee, the player's override, else the team's (no
 * proration). The one place this rule is written: the first-payment click, the backfill and the
 * first_payment blast all read it from here.
 */
const firstMonthOf = (players: string) => `first_month AS (
    SELECT pl.tenant_id, pl.id AS player_id, pl.parent_id, pl.name AS player_name, pl.contract_status,
           pl.first_payment_token AS token, COALESCE(pl.monthly_fee_cents, t.monthly_fee_cents) AS fee_cents,
           m.id AS product_id, m.name AS item, trim(m.currency) AS currency
    FROM players pl
    LEFT JOIN teams t ON t.tenant_id = pl.tenant_id AND t.id = pl.team_id
    LEFT JOIN LATERAL (
      SELECT pr.id, pr.name, pr.currency FROM products pr
      WHERE pr.tenant_id = pl.tenant_id AND pr.category = 'monthly' AND pr.active
      ORDER BY pr.id LIMIT 1
    ) m ON true
    WHERE ${players}
  )`;

const playerFirstMonth = (players: string) => `WITH ${firstMonthOf(players)}
  SELECT f.player_id, f.tenant_id, f.contract_status, f.fee_cents, f.product_id, f.token,
         tn.name AS club_name, tn.timezone
  FROM first_month f
  JOIN tenants tn ON tn.id = f.tenant_id`;

@Injectable()
export class FirstMonthRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The player whose first-payment token this is, in whichever club. */
  async forToken(token: string): Promise<PlayerFirstMonth | undefined> {
    const rows = (await this.db.query(playerFirstMonth('pl.first_payment_token = $1'), [
      token,
    ])) as PlayerFirstMonth[];
    return rows[0];
  }

  async forPlayer(tenantId: number, playerId: number): Promise<PlayerFirstMonth | undefined> {
    const rows = (await this.db.query(playerFirstMonth('pl.tenant_id = $1 AND pl.id = $2'), [
      tenantId,
      playerId,
    ])) as PlayerFirstMonth[];
    return rows[0];
  }

  /**
   * Families with players whose contract is signed and whose first month is not paid (nor being
   * paid): each player's fee and first-payment token. One SQL statement; the first-payment link
   * re-checks everything at the click. In the caller's transaction (a blast's approval).
   */
  async families(
    manager: EntityManager,
    tenantId: number,
    filter: { email?: string } = {},
  ): Promise<FirstPaymentFamily[]> {
    return (await manager.query(
      `WITH ${firstMonthOf("pl.tenant_id = $1 AND pl.contract_status = 'signed'")}, owing AS (
         SELECT f.* FROM first_month f
         WHERE f.product_id IS NOT NULL AND f.fee_cents > 0
           AND NOT EXISTS (
             SELECT 1 FROM orders o
             WHERE o.tenant_id = f.tenant_id AND o.player_id = f.player_id AND o.product_id = f.product_id
               AND o.status = ANY($3::order_status[]))
       )
       SELECT p.id AS parent_id, p.name AS parent_name, p.email,
              json_agg(json_build_object('player_id', o.player_id, 'player_name', o.player_name, 'product_id', o.product_id, 'fee_cents', o.fee_cents,
                                         'currency', o.currency, 'token', o.token, 'item', o.item)
                       ORDER BY o.player_name, o.player_id) AS players,
              md5(string_agg(o.player_id || ':' || o.fee_cents, ',' ORDER BY o.player_id)) AS digest
       FROM owing o
       JOIN parents p ON p.tenant_id = $1 AND p.id = o.parent_id
       WHERE ($2::text IS NULL OR lower(p.email) = lower($2))
       GROUP BY p.id
       ORDER BY p.name, p.id`,
      [tenantId, filter.email ?? null, CHARGED],
    )) as FirstPaymentFamily[];
  }
}
