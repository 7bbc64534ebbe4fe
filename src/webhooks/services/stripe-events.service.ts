import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainException } from '../../common/errors/domain.exception';
import type { StripeEventPayload } from '../../stripe/stripe-objects';
import { StripeService } from '../../stripe/stripe.service';
import { StripeEvent } from '../entities/stripe-event.entity';
import { decide, EventDecision } from './event-decision';
import { PaymentEventsService } from './payment-events.service';

/**
 * The webhook inbox. Each event is stored under its Stripe id and applied in the same
 * transaction: a duplicate or concurrent delivery finds the row and changes nothing; a
 * failure rolls both back, so Stripe's redelivery applies it exactly once (money rule 5).
 */
@Injectable()
export class StripeEventsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly stripe: StripeService,
    private readonly payments: PaymentEventsService,
  ) {}

  async receive(
    rawBody: Buffer | undefined,
    signature: string | undefined,
  ): Promise<EventDecision> {
    const event = rawBody && this.stripe.verifyWebhook(rawBody, signature);
    if (!event)
      throw new DomainException(
        'validation_failed',
        'The Stripe signature does not match this payload',
      );
    return this.db.transaction(async (manager) => {
      const inserted = (await manager.query(
        `INSERT INTO stripe_events (id, type, livemode, api_version, payload) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [event.id, event.type, event.livemode, event.api_version ?? null, JSON.stringify(event)],
      )) as unknown[];
      if (inserted.length === 0) {
        await manager.query('UPDATE stripe_events SET attempts = attempts + 1 WHERE id = $1', [
          event.id,
        ]);
        return decide('duplicate');
      }
      const decision = await this.apply(manager, event);
      await manager.update(
        StripeEvent,
        { id: event.id },
        {
          outcome: decision.outcome,
          tenantId: decision.tenantId ?? null,
          error: decision.note ?? null,
          processedAt: new Date(),
        },
      );
      return decision;
    });
  }

  private apply(
    manager: EntityManager,
    event: StripeEventPayload,
  ): Promise<EventDecision> | EventDecision {
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
        return this.payments.chargeRefunded(manager, event.data.object);
      case 'charge.dispute.created':
        return this.payments.disputeCreated(manager, event.data.object);
      case 'checkout.session.expired':
        return decide('ignored', 'an expired session changes nothing: its link stays payable');
      default:
        return decide('ignored', `Courtside does not handle ${event.type}`);
    }
  }
}
