import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OWED } from '../../orders/order-status';

export interface StatementItem {
  order_id: number;
  player_id: number;
  player_name: string;
  item: string;
  amount_cents: number;
  currency: string;
  pay_url: string;
}

/** One family's statement: everything it owes that has a Pay Now link. */
export interface Statement {
  parent_id: number;
  parent_name: string;
  email: string | null;
  items: StatementItem[];
  totals: { currency: string; amount_cents: number }[];
  /** Changes whenever an item, amount or link changes: "has this statement been sent as is?" */
  digest: string;
}

export interface StatementFilter {
  /** Only the family with this email (a test blast). */
  email?: string;
  parentIds?: number[];
}

/** Parameters: $1 tenant, $2 email filter or null, $3 parent ids or null, $4 the owed statuses. */
export const OUTSTANDING_BALANCES_SQL = `WITH owed AS (
    SELECT o.parent_id, o.id AS order_id, pl.id AS player_id, pl.name AS player_name, pr.name AS item,
           link.amount_cents, trim(link.currency) AS currency, link.url AS pay_url
    FROM payment_links link
    JOIN orders o ON o.tenant_id = link.tenant_id AND o.id = link.order_id
    JOIN players pl ON pl.tenant_id = link.tenant_id AND pl.id = link.player_id
    JOIN products pr ON pr.tenant_id = link.tenant_id AND pr.id = link.product_id
    JOIN parents p ON p.tenant_id = o.tenant_id AND p.id = o.parent_id
    WHERE link.tenant_id = $1 AND link.status = 'active' AND o.status = ANY($4::order_status[])
      AND ($2::text IS NULL OR lower(p.email) = lower($2))
      AND ($3::int[] IS NULL OR p.id = ANY($3))
  ), by_parent AS (
    SELECT parent_id,
           json_agg(json_build_object(
             'order_id', order_id, 'player_id', player_id, 'player_name', player_name, 'item', item,
             'amount_cents', amount_cents, 'currency', currency, 'pay_url', pay_url)
             ORDER BY player_name, item, order_id) AS items,
           md5(string_agg(order_id || ':' || amount_cents || ':' || currency || ':' || pay_url, ',' ORDER BY order_id)) AS digest
    FROM owed GROUP BY parent_id
  ), totals AS (
    SELECT parent_id, json_agg(json_build_object('currency', currency, 'amount_cents', amount_cents) ORDER BY currency) AS totals
    FROM (SELECT parent_id, currency, sum(amount_cents)::int AS amount_cents FROM owed GROUP BY parent_id, currency) per_currency
    GROUP BY parent_id
  )
  SELECT p.id AS parent_id, p.name AS parent_name, p.email, b.items, t.totals, b.digest
  FROM by_parent b
  JOIN totals t ON t.parent_id = b.parent_id
  JOIN parents p ON p.tenant_id = $1 AND p.id = b.parent_id
  ORDER BY p.name, p.id`;

/**
 * The outstanding-balance statement per parent, in one SQL statement: active pay links of
 * orders still owed, grouped by family. The only implementation: the admin endpoint, the CSV,
 * the blast and the CLI all read it from here.
 */
@Injectable()
export class StatementsRepository {
  /** In the caller's transaction: a blast's approval reads it where it queues the messages. */
  async outstandingBalances(
    manager: EntityManager,
    tenantId: number,
    filter: StatementFilter = {},
  ): Promise<Statement[]> {
    return (await manager.query(OUTSTANDING_BALANCES_SQL, [
      tenantId,
      filter.email ?? null,
      filter.parentIds ?? null,
      OWED,
    ])) as Statement[];
  }
}
