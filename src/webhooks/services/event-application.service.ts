import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { JobsService } from '../../jobs/jobs.service';
import { StripeService } from '../../stripe/stripe.service';
import { StripeEventsRepository } from '../repositories/stripe-events.repository';
import { decide, EventDecision } from './event-decision';
import { PaymentEventsService } from './payment-events.service';
import { RefundAndDisputeEventsService } from './refund-and-dispute-events.service';
import { readEvent } from './stripe-delivery';

/** The event types that can change an order (see `decide`); reconciliation asks Stripe for these. */
export const APPLIED_EVENT_TYPES = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'payment_intent.succeeded',
  'payment_method.detached',
  'charge.refunded',
  'charge.dispute.created',
] as const;

/**
 * What a stored event means for the club's orders, and its outcome on the inbox row. Runs in the
 * caller's transaction: the inbox (deliveries, reconcile) and replays alike.
 */
@Injectable()
export class EventApplicationService {
  constructor(
    private readonly inbox: StripeEventsRepository,
    private readonly stripe: StripeService,
    private readonly payments: PaymentEventsService,
    private readonly refunds: RefundAndDisputeEventsService,
    private readonly jobs: JobsService,
  ) {}

  /** Applies the event; the jobs it queues are written in one insert (JobsService.batched). */
  apply(manager: EntityManager, payload: unknown): Promise<EventDecision> {
    return this.jobs.batched(manager, async () => this.decide(manager, payload));
  }

  /**
   * Stores what the event came to. When it recorded a payment, refunds and disputes that arrived
   * before it (money rule 6) are applied next, in its transaction, oldest first. The
   * PaymentIntent's lock came with the order: any refund or dispute still looking for this payment
   * has finished looking (and is found here), or will find the order.
   */
  async saveOutcome(
    manager: EntityManager,
    eventId: string,
    decision: EventDecision,
  ): Promise<void> {
    const awaited = await this.inbox.saveDecision(manager, eventId, decision);
    if (!awaited || !decision.paidPaymentIntent) return;
    for (const event of await this.inbox.waitingFor(manager, decision.paidPaymentIntent))
      await this.saveOutcome(manager, event.id, await this.decide(manager, event.payload));
  }

  private decide(manager: EntityManager, payload: unknown): Promise<EventDecision> | EventDecision {
    const event = readEvent(payload);
    if (typeof event === 'string') return decide('needs_review', event);
    if (event.livemode !== this.stripe.livemode) {
      return decide(
        'needs_review',
        `a ${event.livemode ? 'live' : 'test'}-mode event reached a ${this.stripe.livemode ? 'live' : 'test'}-mode Courtside`,
      );
    }
    switch (event.type) {
      case 'checkout.session.completed':
        return this.payments.sessionCompleted(manager, event.data.object);
      case 'checkout.session.async_payment_succeeded':
        return this.payments.sessionPaid(manager, event.data.object);
      case 'checkout.session.async_payment_failed':
        return this.payments.sessionFailed(manager, event.data.object);
      case 'payment_intent.succeeded':
        return this.payments.paymentIntentSucceeded(manager, event.data.object);
      case 'charge.refunded':
        return this.refunds.chargeRefunded(manager, event.data.object);
      case 'charge.dispute.created':
        return this.refunds.disputeCreated(manager, event.data.object);
      case 'payment_method.detached':
        return this.payments.cardDetached(manager, event.data.object);
      case 'checkout.session.expired':
        return decide('ignored', 'an expired session changes nothing: its link stays payable');
      default:
        return decide('ignored', `Courtside does not handle ${event.type}`);
    }
  }
}
