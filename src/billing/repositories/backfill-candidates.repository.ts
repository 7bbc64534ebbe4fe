import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OWED } from '../../orders/order-status';

/** Something `backfill:payment-links` looks at: a player's first month, or an owed order. */
export interface BackfillCandidate {
  kind: 'first_month' | 'order';
  player_id: number;
  player_name: string;
  product_id: number;
  item: string;
  order_id: number | null;
  amount_cents: number;
  currency: string;
  /** The order carries a Stripe link that `payment_links` does not know. */
  unrecorded_link: boolean;
}

@Injectable()
export class BackfillCandidatesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The club's owed orders with no active pay link, and what stands in the way of one. Orders
   * autopay has in hand are not: those of a month run still running (it charges or links them
   * itself) and those whose card charge is under way or succeeded (paid by its webhook); a
   * link there would let the family pay twice.
   */
  async unlinkedOrders(tenantId: number): Promise<BackfillCandidate[]> {
    return (await this.db.query(
      `SELECT 'order' AS kind, o.player_id, pl.name AS player_name, o.product_id, pr.name AS item,
              o.id AS order_id, o.amount_cents, trim(o.currency) AS currency,
              (o.stripe_payment_link_id IS NOT NULL AND NOT EXISTS (
                 SELECT 1 FROM payment_links l
                 WHERE l.tenant_id = o.tenant_id AND l.stripe_payment_link_id = o.stripe_payment_link_id)
              ) AS unrecorded_link
       FROM orders o
       JOIN players pl ON pl.tenant_id = o.tenant_id AND pl.id = o.player_id
       JOIN products pr ON pr.tenant_id = o.tenant_id AND pr.id = o.product_id
       WHERE o.tenant_id = $1 AND o.status = ANY($2::order_status[])
         AND NOT EXISTS (SELECT 1 FROM payment_links l
                         WHERE l.tenant_id = o.tenant_id AND l.order_id = o.id AND l.status = 'active')
         AND NOT EXISTS (SELECT 1 FROM billing_runs r
                         WHERE r.tenant_id = o.tenant_id AND r.id = o.billing_run_id
                           AND r.status IN ('planned', 'running'))
         AND NOT EXISTS (SELECT 1 FROM charge_attempts c
                         WHERE c.tenant_id = o.tenant_id AND c.order_id = o.id
                           AND c.status IN ('processing', 'succeeded'))
       ORDER BY o.id`,
      [tenantId, OWED],
    )) as BackfillCandidate[];
  }
}
