import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { OrderStatus } from '../../orders/entities/order.entity';
import { isOrderPaid, PROCESSING } from '../../orders/order-status';

const SESSION = /^cs_[A-Za-z0-9_]{1,250}$/;

/**
 * The thank-you page after Stripe: confirms the item paid, or that a bank payment is on its
 * way, naming only the item; a session we do not know (yet) gets a general thank-you.
 */
@Injectable()
export class ThanksService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async pageFor(
    sessionId: string | undefined,
  ): Promise<{ title: string; message: string; clubName?: string }> {
    const found = sessionId && SESSION.test(sessionId) ? await this.order(sessionId) : undefined;
    if (found && PROCESSING.includes(found.status)) {
      return {
        title: 'Payment on its way',
        message: `Your bank payment for ${found.item} is being processed; the club will see it when it clears.`,
        clubName: found.club,
      };
    }
    if (found && isOrderPaid(found.status)) {
      return {
        title: 'Thank you!',
        message: `Your payment for ${found.item} was received.`,
        clubName: found.club,
      };
    }
    return {
      title: 'Thank you!',
      message:
        "Your payment was received. The club's records update within a moment; you can close this page.",
    };
  }

  private async order(
    sessionId: string,
  ): Promise<{ status: OrderStatus; item: string; club: string } | undefined> {
    const rows = (await this.db.query(
      `SELECT o.status, pr.name AS item, tn.name AS club
       FROM orders o
       JOIN products pr ON pr.tenant_id = o.tenant_id AND pr.id = o.product_id
       JOIN tenants tn ON tn.id = o.tenant_id
       WHERE o.stripe_checkout_session_id = $1`,
      [sessionId],
    )) as { status: OrderStatus; item: string; club: string }[];
    return rows[0];
  }
}
