import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { OrderStatus } from '../../orders/entities/order.entity';

/** What the thank-you page may say about a Checkout Session: only its order's item and club. */
export interface SessionItem {
  status: OrderStatus;
  item: string;
  club: string;
}

@Injectable()
export class ThanksRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async sessionItem(sessionId: string): Promise<SessionItem | undefined> {
    const rows = (await this.db.query(
      `SELECT o.status, pr.name AS item, tn.name AS club
       FROM orders o
       JOIN products pr ON pr.tenant_id = o.tenant_id AND pr.id = o.product_id
       JOIN tenants tn ON tn.id = o.tenant_id
       WHERE o.stripe_checkout_session_id = $1`,
      [sessionId],
    )) as SessionItem[];
    return rows[0];
  }
}
