import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import type { OrderStatus } from '../../orders/entities/order.entity';
import { CHARGED, OWED } from '../../orders/order-status';

/** Why an owed order ends with its player's contract. */
export type EndedOrderReason = 'after_contract' | 'never_started';

/** An owed order that a terminated contract cancels, locked, with its active pay link if any. */
export interface EndedOrder {
  order_id: number;
  player_id: number;
  status: OrderStatus;
  /** `YYYY-MM-DD`, the first day of the billed month; null for an order without one. */
  billing_period: string | null;
  reason: EndedOrderReason;
  stripe_payment_link_id: string | null;
}

/**
 * The one read a terminated contract decides by: the players' owed monthly orders for months
 * after `currentPeriod` (the club's current month), and, for a player with no order ever charged
 * (any item), their first month of each monthly product (their earliest owed order of it: the
 * first-payment link's). Everything else they owe — past and current months once started,
 * tournament fees, other items — is not read, so it stays owed. Locked in the caller's
 * transaction: a payment landing meanwhile has either committed (the order is no longer owed
 * and is not returned) or waits for this transaction.
 */
const ENDED_ORDERS_SQL = `WITH never_paid AS (
    SELECT pl.id FROM players pl
    WHERE pl.tenant_id = $1 AND pl.id = ANY($2::int[])
      AND NOT EXISTS (SELECT 1 FROM orders c
                      WHERE c.tenant_id = pl.tenant_id AND c.player_id = pl.id
                        AND c.status = ANY($4::order_status[]))
  ), first_months AS (
    SELECT DISTINCT ON (o.player_id, o.product_id) o.id
    FROM orders o
    JOIN products pr ON pr.tenant_id = o.tenant_id AND pr.id = o.product_id
    WHERE o.tenant_id = $1 AND o.player_id IN (SELECT id FROM never_paid)
      AND pr.category = 'monthly' AND o.status = ANY($3::order_status[])
    ORDER BY o.player_id, o.product_id, o.billing_period NULLS FIRST, o.id
  )
  SELECT o.id AS order_id, o.player_id, o.status, to_char(o.billing_period, 'YYYY-MM-DD') AS billing_period,
         CASE WHEN o.id IN (SELECT id FROM first_months) THEN 'never_started' ELSE 'after_contract' END AS reason,
         link.stripe_payment_link_id
  FROM orders o
  LEFT JOIN payment_links link
    ON link.tenant_id = o.tenant_id AND link.order_id = o.id AND link.status = 'active'
  WHERE o.tenant_id = $1 AND o.player_id = ANY($2::int[]) AND o.status = ANY($3::order_status[])
    AND (o.billing_period > $5::date OR o.id IN (SELECT id FROM first_months))
  ORDER BY o.id
  FOR UPDATE OF o`;

@Injectable()
export class ContractEndingsRepository {
  async endedOrders(
    manager: EntityManager,
    tenantId: number,
    playerIds: number[],
    currentPeriod: string,
  ): Promise<EndedOrder[]> {
    return (await manager.query(ENDED_ORDERS_SQL, [
      tenantId,
      playerIds,
      OWED,
      CHARGED,
      currentPeriod,
    ])) as EndedOrder[];
  }
}
