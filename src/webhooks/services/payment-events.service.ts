import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { OverpaymentsService } from '../../billing/services/overpayments.service';
import { Order } from '../../orders/entities/order.entity';
import { ReceiptsService } from '../../email/services/receipts.service';
import { SavedCardsService } from '../../billing/services/saved-cards.service';
import { ChargeAttemptsRepository } from '../../billing/repositories/charge-attempts.repository';
import { OrderPaymentsService } from '../../orders/services/order-payments.service';
import { LinkRetirementService } from '../../payment-links/services/link-retirement.service';
import type { CheckoutSession, PaymentIntent, PaymentMethod } from '../../stripe/stripe-objects';
import { idOf, readOrderMetadata } from '../stripe-payload';
import { decide, EventDecision } from './event-decision';
import { auditOrderChange } from './order-audit';

type Session = CheckoutSession;

/**
 * What each payment event (a Checkout Session's or a PaymentIntent's) means for an order. Matching is strict: an event credits an order
 * only when its metadata names the order in that club, its link is the order's and its
 * amount and currency are the order's (money rule 8); anything else is kept for review.
 */
@Injectable()
export class PaymentEventsService {
  constructor(
    private readonly orders: OrderPaymentsService,
    private readonly links: LinkRetirementService,
    private readonly overpayments: OverpaymentsService,
    private readonly audit: AuditService,
    private readonly receipts: ReceiptsService,
    private readonly savedCards: SavedCardsService,
    private readonly chargeAttempts: ChargeAttemptsRepository,
  ) {}

  async sessionCompleted(manager: EntityManager, session: Session): Promise<EventDecision> {
    if (session.payment_status === 'paid') return this.sessionPaid(manager, session);
    if (session.payment_status !== 'unpaid')
      return decide('ignored', `payment_status ${session.payment_status}`);
    // A bank debit: accepted, not yet settled (money rule 7).
    const found = await this.matchSession(manager, session);
    if (!('order' in found)) return found;
    const { order } = found;
    if (order.status === 'failed' && order.stripeCheckoutSessionId === session.id)
      return decide(
        'ignored',
        `the bank debit of session ${session.id} already failed for order ${order.id}`,
        order.tenantId,
      );
    const moved = await this.orders.markProcessing(manager, order, {
      paymentIntentId: idOf(session.payment_intent)!,
      checkoutSessionId: session.id,
    });
    if (!moved)
      return decide('ignored', `order ${order.id} is already ${order.status}`, order.tenantId);
    await auditOrderChange(this.audit, manager, order, 'order.processing', {
      checkout_session: session.id,
    });
    return decide('processed', undefined, order.tenantId);
  }

  async sessionPaid(manager: EntityManager, session: Session): Promise<EventDecision> {
    const found = await this.matchSession(manager, session);
    if (!('order' in found)) return found;
    const { order } = found;
    const paymentIntentId = idOf(session.payment_intent)!;
    const result = await this.orders.recordPayment(manager, order, {
      amountCents: session.amount_total!,
      paymentIntentId,
      checkoutSessionId: session.id,
    });
    switch (result) {
      case 'applied': {
        // A monthly link makes a customer and keeps the card: autopay's from next month (§5).
        const customer = idOf(session.customer);
        if (customer)
          await this.savedCards.rememberCustomer(manager, order, customer, paymentIntentId);
        return this.paid(
          manager,
          order,
          paymentIntentId,
          idOf(session.payment_link) ?? order.stripePaymentLinkId,
          session.id,
        );
      }
      case 'already_applied':
        return decide('ignored', `order ${order.id} already records this payment`, order.tenantId);
      case 'paid_by_another_payment': {
        const first = await this.overpayments.record(manager, order, {
          checkoutSessionId: session.id,
          paymentIntentId,
          amountCents: session.amount_total!,
          currency: session.currency!,
        });
        if (first)
          await auditOrderChange(this.audit, manager, order, 'order.overpaid', {
            checkout_session: session.id,
            amount_cents: session.amount_total,
          });
        return decide(
          'processed',
          `second payment for order ${order.id}: recorded as an overpayment and refunded`,
          order.tenantId,
        );
      }
      case 'not_payable':
        return decide(
          'needs_review',
          `payment received for order ${order.id}, which is ${order.status}`,
          order.tenantId,
        );
    }
  }

  async sessionFailed(manager: EntityManager, session: Session): Promise<EventDecision> {
    const found = await this.matchSession(manager, session);
    if (!('order' in found)) return found;
    const { order } = found;
    if (!(await this.orders.markFailed(manager, order, session.id)))
      return decide('ignored', `order ${order.id} is already ${order.status}`, order.tenantId);
    // The link has had its one session; the family gets a fresh link on the next statement.
    const link = idOf(session.payment_link);
    if (link) await this.links.retireAfterPayment(manager, order.tenantId, link, 'deactivated');
    await auditOrderChange(this.audit, manager, order, 'order.payment_failed', {
      checkout_session: session.id,
    });
    return decide('processed', undefined, order.tenantId);
  }

  /**
   * A PaymentIntent names neither the link nor the session, so it cannot show that the payment
   * came through a link Courtside minted for the order: it only settles a bank debit that a
   * checked session event already put on the order. Card payments are applied from their
   * `checkout.session.completed`, which Stripe always sends too.
   */
  async paymentIntentSucceeded(
    manager: EntityManager,
    intent: PaymentIntent,
  ): Promise<EventDecision> {
    const found = await this.matchOrder(
      manager,
      intent.metadata,
      intent.amount_received || intent.amount,
      intent.currency,
      { paymentIntentId: intent.id },
    );
    if (!('order' in found)) return found;
    const { order } = found;
    if (order.stripePaymentIntentId !== intent.id && (await this.isAutopay(manager, order, intent)))
      return this.autopayPaid(manager, order, intent);
    if (order.stripePaymentIntentId !== intent.id)
      return decide(
        'ignored',
        `applied from its Checkout Session event, which names the payment link`,
        order.tenantId,
      );
    const result = await this.orders.recordPayment(manager, order, {
      amountCents: intent.amount_received || intent.amount,
      paymentIntentId: intent.id,
    });
    if (result === 'applied')
      return this.paid(manager, order, intent.id, order.stripePaymentLinkId);
    if (result === 'not_payable')
      return decide(
        'needs_review',
        `payment received for order ${order.id}, which is ${order.status}`,
        order.tenantId,
      );
    // A second payment is recorded from its Checkout Session event, which names the session.
    return decide('ignored', `order ${order.id} is already paid`, order.tenantId);
  }

  /** The family's saved card was removed at Stripe: the next month is a Pay Now link and a mail. */
  async cardDetached(manager: EntityManager, method: PaymentMethod): Promise<EventDecision> {
    const tenantId = await this.savedCards.forget(manager, method.id);
    return tenantId === undefined
      ? decide('ignored', `no family keeps card ${method.id}`)
      : decide('processed', `card ${method.id} forgotten: autopay falls back to a link`, tenantId);
  }

  /** A PaymentIntent the month run made for this order's saved card (its try is on record). */
  private async isAutopay(
    manager: EntityManager,
    order: Order,
    intent: PaymentIntent,
  ): Promise<boolean> {
    const attempt = Number(intent.metadata?.autopay_attempt);
    if (!Number.isSafeInteger(attempt) || attempt < 1) return false;
    return this.chargeAttempts.succeeded(manager, order.tenantId, order.id, attempt, intent.id);
  }

  /** The saved card paid the order, exactly as a link payment would (same guards, receipt). */
  private async autopayPaid(
    manager: EntityManager,
    order: Order,
    intent: PaymentIntent,
  ): Promise<EventDecision> {
    const result = await this.orders.recordPayment(manager, order, {
      amountCents: intent.amount_received || intent.amount,
      paymentIntentId: intent.id,
    });
    if (result === 'applied') {
      // A Pay Now link made after an earlier decline must take no second payment.
      if (order.stripePaymentLinkId)
        await this.links.retireAfterPayment(
          manager,
          order.tenantId,
          order.stripePaymentLinkId,
          'deactivated',
        );
      return this.paid(manager, order, intent.id, null);
    }
    if (result === 'already_applied')
      return decide('ignored', `order ${order.id} already records this payment`, order.tenantId);
    return decide(
      'needs_review',
      `the saved card paid order ${order.id}, which is ${order.status}: refund one payment`,
      order.tenantId,
    );
  }

  private async paid(
    manager: EntityManager,
    order: Order,
    paymentIntentId: string,
    link: string | null,
    session?: string,
  ): Promise<EventDecision> {
    if (link) await this.links.retireAfterPayment(manager, order.tenantId, link, 'paid');
    await auditOrderChange(this.audit, manager, order, 'order.paid', {
      payment_intent: paymentIntentId,
      checkout_session: session,
    });
    await this.receipts.enqueue(manager, order.tenantId, order.id);
    return {
      ...decide('processed', undefined, order.tenantId),
      paidPaymentIntent: paymentIntentId,
    };
  }

  private async matchSession(
    manager: EntityManager,
    session: Session,
  ): Promise<{ order: Order } | EventDecision> {
    const paymentIntentId = idOf(session.payment_intent);
    if (!paymentIntentId) return decide('needs_review', 'the session has no PaymentIntent');
    const link = idOf(session.payment_link);
    const found = await this.matchOrder(
      manager,
      session.metadata,
      session.amount_total,
      session.currency,
      { paymentIntentId, paymentLinkId: link },
    );
    if (!('order' in found)) return found;
    if (link && !found.linkMinted) {
      return decide(
        'unmatched',
        `payment link ${link} is not one Courtside minted for order ${found.order.id}`,
        found.order.tenantId,
      );
    }
    return { order: found.order };
  }

  /** The order the metadata names, locked with the payment's PaymentIntent, if it matches. */
  private async matchOrder(
    manager: EntityManager,
    metadata: Record<string, string> | null,
    amountCents: number | null,
    currency: string | null,
    payment: { paymentIntentId: string; paymentLinkId?: string | null },
  ): Promise<{ order: Order; linkMinted: boolean } | EventDecision> {
    const ids = readOrderMetadata(metadata);
    if (typeof ids === 'string') return decide('unmatched', ids);
    const locked = await this.orders.lockForPayment(manager, ids.tenantId, ids.orderId, payment);
    if (!locked) return decide('unmatched', `club ${ids.tenantId} has no order ${ids.orderId}`);
    const { order } = locked;
    if (
      (ids.playerId && ids.playerId !== order.playerId) ||
      (ids.productId && ids.productId !== order.productId)
    ) {
      return decide(
        'unmatched',
        `metadata names a different player or product than order ${order.id}`,
        order.tenantId,
      );
    }
    if (amountCents !== order.amountCents || currency !== order.currency) {
      return decide(
        'needs_review',
        `paid ${amountCents} ${currency} for order ${order.id} of ${order.amountCents} ${order.currency}`,
        order.tenantId,
      );
    }
    return locked;
  }
}
