import { EntityManager } from 'typeorm';
import { CHARGED } from '../orders/order-status';

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
 * Families with players whose contract is signed and whose first month is not paid (nor being
 * paid): each player's flat monthly fee (their override, else the team's) and first-payment
 * token. One SQL statement; the first-payment link re-checks everything at the click.
 */
export async function firstPaymentFamilies(
  manager: EntityManager,
  tenantId: number,
  filter: { email?: string } = {},
): Promise<FirstPaymentFamily[]> {
  return (await manager.query(
    `WITH monthly AS (
       SELECT id, name, trim(currency) AS currency FROM products
       WHERE tenant_id = $1 AND category = 'monthly' AND active ORDER BY id LIMIT 1
     ), owing AS (
       SELECT pl.parent_id, pl.id AS player_id, pl.name AS player_name, pl.first_payment_token AS token, m.id AS product_id,
              COALESCE(pl.monthly_fee_cents, t.monthly_fee_cents) AS fee_cents, m.currency, m.name AS item
       FROM players pl
       CROSS JOIN monthly m
       LEFT JOIN teams t ON t.tenant_id = pl.tenant_id AND t.id = pl.team_id
       WHERE pl.tenant_id = $1 AND pl.contract_status = 'signed'
         AND COALESCE(pl.monthly_fee_cents, t.monthly_fee_cents) > 0
         AND NOT EXISTS (
           SELECT 1 FROM orders o
           WHERE o.tenant_id = pl.tenant_id AND o.player_id = pl.id AND o.product_id = m.id
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
