import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { ClubContext } from '../../club/auth/club-context';
import { isOrderOwed } from '../../orders/order-status';
import { OrderPaymentsService } from '../../orders/services/order-payments.service';
import { orderRecords } from '../../orders/services/orders.service';
import { StripeService } from '../../stripe/stripe.service';
import { PaymentLinksRepository } from '../repositories/payment-links.repository';
import { linkProblem } from '../stripe-pay-checks';

/** What became of an order's unrecorded link; `url` is where the family pays now, if known. */
export interface Adoption {
  action: 'copied' | 'replaced' | 'unchanged';
  reason?: string;
  url?: string;
}

/**
 * Links an owed order carries that `payment_links` does not know (made by the club's previous
 * system or a script): each is adopted as it is, or closed so that a fresh link replaces it.
 */
@Injectable()
export class LegacyLinksService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly stripe: StripeService,
    private readonly orderPayments: OrderPaymentsService,
    private readonly audit: AuditService,
    private readonly links: PaymentLinksRepository,
  ) {}

  /**
   * A link that is active, sells exactly the order's amount and names the order in its metadata
   * is copied into `payment_links`; any other is deactivated at Stripe (a payment through it
   * would credit nobody) and detached from the order, for the caller to mint its replacement.
   */
  async adopt(club: ClubContext, orderId: number, commit: boolean): Promise<Adoption> {
    const order = await orderRecords.find(this.db.manager, club.tenantId, orderId);
    const stripeLinkId = order.stripePaymentLinkId;
    if (!stripeLinkId || !isOrderOwed(order.status)) return { action: 'unchanged' };
    if (await this.links.isRecorded(stripeLinkId)) return { action: 'unchanged' };
    const found = await this.stripe.findPaymentLink(stripeLinkId);
    const reason = linkProblem(order, found);
    if (!commit)
      return {
        action: reason ? 'replaced' : 'copied',
        reason,
        url: reason ? undefined : found?.link.url,
      };
    if (reason || !found) {
      if (found?.link.active) await this.stripe.deactivatePaymentLink(stripeLinkId);
      await this.orderPayments.detachLink(this.db.manager, club.tenantId, stripeLinkId);
      return { action: 'replaced', reason };
    }
    await this.db.transaction(async (manager) => {
      const locked = await orderRecords.find(manager, club.tenantId, order.id, { lock: true });
      if (!isOrderOwed(locked.status) || locked.stripePaymentLinkId !== stripeLinkId) return;
      await this.links.insertIfAbsent(manager, {
        tenantId: club.tenantId,
        playerId: order.playerId,
        productId: order.productId,
        orderId: order.id,
        stripePaymentLinkId: stripeLinkId,
        stripePriceId: found.lineItems[0].price!.id,
        url: found.link.url,
        amountCents: order.amountCents,
        currency: order.currency,
        status: 'active',
      });
      await this.audit.record(manager, club, 'payment_link.copied', `order:${order.id}`, {
        stripe_payment_link_id: stripeLinkId,
      });
    });
    return { action: 'copied', url: found.link.url };
  }
}
