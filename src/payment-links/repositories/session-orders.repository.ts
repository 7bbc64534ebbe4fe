import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OWED } from '../../orders/order-status';
import type { OrderStatus } from '../../orders/entities/order.entity';

/** An owed order that carries a Checkout Session (the club's previous system made those). */
export interface SessionOrder {
  order_id: number;
  player_name: string;
  item: string;
  amount_cents: number;
  currency: string;
  status: OrderStatus;
  session_id: string;
  checkout_url: string | null;
  /** The pay URL is a payment link's (persistent), not a session's. */
  has_link: boolean;
}

/** Orders the previous system gave a 24-hour Checkout Session instead of a pay link. */
@Injectable()
export class SessionOrdersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The club's owed orders with a session, in id order. */
  owed(tenantId: number): Promise<SessionOrder[]> {
    return this.db.query(
      `SELECT o.id AS order_id, p.name AS player_name, pr.name AS item, o.amount_cents, o.currency,
              o.status, o.stripe_checkout_session_id AS session_id, o.stripe_checkout_url AS checkout_url,
              o.stripe_payment_link_id IS NOT NULL AS has_link
         FROM orders o
         JOIN players p ON p.tenant_id = o.tenant_id AND p.id = o.player_id
         JOIN products pr ON pr.tenant_id = o.tenant_id AND pr.id = o.product_id
        WHERE o.tenant_id = $1 AND o.status = ANY($2::order_status[])
          AND o.stripe_checkout_session_id IS NOT NULL
        ORDER BY o.id`,
      [tenantId, OWED],
    );
  }
}
