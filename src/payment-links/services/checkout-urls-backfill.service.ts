import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { ClubContext } from '../../club/auth/club-context';
import { isOrderOwed } from '../../orders/order-status';
import { OrderPaymentsService } from '../../orders/services/order-payments.service';
import { orderRecords } from '../../orders/services/orders.service';
import { StripeService } from '../../stripe/stripe.service';
import {
  type SessionOrder,
  SessionOrdersRepository,
} from '../repositories/session-orders.repository';
import { metadataOwner, openSessionProblem } from '../stripe-pay-checks';
import { PaymentLinksService } from './payment-links.service';
import type { OperatorOutcome } from '../../common/operator-outcome';

/** With the pay URL it stored or minted. */
export type CheckoutUrlStep = OperatorOutcome & { url?: string };

/**
 * Legacy orders have a 24-hour Checkout Session id but no Pay Now URL. An open session's URL
 * is stored; an expired (or vanished) one is reported, or with `remint` replaced by a
 * persistent payment link for the same order; a completed one is left for `reconcile`.
 */
@Injectable()
export class CheckoutUrlsBackfillService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly stripe: StripeService,
    private readonly paymentLinks: PaymentLinksService,
    private readonly orderPayments: OrderPaymentsService,
    private readonly audit: AuditService,
    private readonly sessionOrders: SessionOrdersRepository,
  ) {}

  /**
   * The club's owed orders with a session, in id order. Those with a link's URL show as
   * unchanged; a stored session URL is checked again, since it dies when the session expires.
   */
  candidates(tenantId: number): Promise<SessionOrder[]> {
    return this.sessionOrders.owed(tenantId);
  }

  async backfill(
    club: ClubContext,
    candidate: SessionOrder,
    options: { commit: boolean; remint: boolean },
  ): Promise<CheckoutUrlStep> {
    if (candidate.has_link) return { status: 'unchanged', result: 'has a payment link' };
    const order = await orderRecords.find(this.db.manager, club.tenantId, candidate.order_id);
    if (!isOrderOwed(order.status))
      return { status: 'unchanged', result: `changed meanwhile: the order is ${order.status}` };
    if (order.stripePaymentLinkId) return { status: 'unchanged', result: 'has a payment link' };
    const sessionId = candidate.session_id;
    const session = await this.stripe.findCheckoutSession(sessionId);

    // Another club's or order's session is never attached here, whatever its state.
    const owner = session ? metadataOwner(session.metadata, order) : 'nobody';
    if (owner === 'another_club')
      return { status: 'skipped', result: "the session belongs to another club's order" };
    if (owner === 'another_order')
      return {
        status: 'skipped',
        result: `the session names order ${session!.metadata!.order_id}, not this one`,
      };

    const dead = async (why: string): Promise<CheckoutUrlStep> => {
      if (!options.remint)
        return {
          status: 'skipped',
          result: `${why}: run with --remint to replace it with a payment link`,
        };
      if (!options.commit)
        return { status: 'would_do', result: `${why}: would replace it with a payment link` };
      const { link } = await this.paymentLinks.mintForOrder(club, order.id);
      return {
        status: 'done',
        result: `${why}: replaced with payment link ${link.stripe_payment_link_id}`,
        url: link.url,
      };
    };

    if (!session) return dead('not found at Stripe');
    switch (session.status) {
      case 'expired':
        return dead('expired');
      case 'complete':
        // A failed bank debit also completes its session: the family owes the amount again.
        if (order.status === 'failed' && session.payment_status !== 'paid')
          return dead('its bank debit failed');
        return {
          status: 'skipped',
          result: `complete at Stripe (${session.payment_status}): a payment for reconcile to record; not marked paid here`,
        };
      case 'open':
      case null:
        break;
    }
    const problem = openSessionProblem(order, session);
    if (problem || !session.url)
      return { status: 'skipped', result: `open, but ${problem ?? 'it has no URL'}` };
    const expires = new Date(session.expires_at * 1000).toISOString();
    if (order.stripeCheckoutUrl)
      return { status: 'unchanged', result: `open; its pay URL is stored (expires ${expires})` };
    if (!options.commit)
      return { status: 'would_do', result: `open: would store its pay URL (expires ${expires})` };
    const url = session.url;
    const stored = await this.db.transaction(async (manager) => {
      const attached = await this.orderPayments.attachCheckoutUrl(manager, order, {
        id: sessionId,
        url,
      });
      if (attached)
        await this.audit.record(manager, club, 'order.checkout_url_stored', `order:${order.id}`, {
          checkout_session: sessionId,
        });
      return attached;
    });
    return stored
      ? { status: 'done', result: `open: stored its pay URL (expires ${expires})`, url }
      : { status: 'unchanged', result: 'changed meanwhile (paid, cancelled or given a pay URL)' };
  }
}
