import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { DomainException } from '../../common/errors/domain.exception';
import { isRefusedValue } from '../../common/errors/postgres-errors';
import { preparedQuery } from '../../database/prepared-query';
import { JobsService } from '../../jobs/jobs.service';
import type { StripeEventPayload } from '../../stripe/stripe-objects';
import { StripeService } from '../../stripe/stripe.service';
import { EventOutcome, StripeEvent } from '../entities/stripe-event.entity';
import { decide, EventDecision } from './event-decision';
import { PaymentEventsService } from './payment-events.service';
import { InboxEntry, inboxEntryOf, readDelivery, readEvent } from './stripe-delivery';

/** The event types that can change an order (see `apply`); reconciliation asks Stripe for these. */
export const APPLIED_EVENT_TYPES = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'payment_intent.succeeded',
  'charge.refunded',
  'charge.dispute.created',
] as const;

/** Stored outcomes that another try may change; the others are final. */
export const REPLAYABLE_OUTCOMES = ['failed', 'unmatched', 'needs_review'] as const;
export type ReplayableOutcome = (typeof REPLAYABLE_OUTCOMES)[number];

/**
 * A refund or dispute that came before its payment: stored as unmatched until the PaymentIntent
 * named by `param` pays an order (the partial index stripe_events_waiting_idx serves it).
 */
const waitingFor = (param: string) =>
  `outcome = 'unmatched' AND type IN ('charge.refunded', 'charge.dispute.created')
   AND payload #>> '{data,object,payment_intent}' = ${param}`;

/** Stripe's clock, to order stored events by; none for a payload without a numeric `created`. */
const STRIPE_CREATED = `CASE WHEN jsonb_typeof(payload -> 'created') = 'number'
  THEN (payload ->> 'created')::numeric END`;

export interface RecordOptions {
  /** Decide, then roll everything back: nothing is written, not even the jobs it would send. */
  dryRun?: boolean;
  /** Keep the result only when the decision names this club (an operator acting for one club). */
  onlyForTenant?: number;
  /**
   * Dry run only: events of the same payment that come before this one and are not applied
   * yet, applied first in the same rolled-back transaction, so that a refund is judged as it
   * will be after its payment.
   */
  dryRunAfter?: StripeEventPayload[];
}

export interface Recorded {
  decision: EventDecision;
  /** Whether the transaction committed: false for a dry run or a decision for another club. */
  kept: boolean;
}

/** A stored event as it was before and after `reapply`. */
export interface Reapplied {
  id: string;
  type: string;
  before: { outcome: EventOutcome | null; tenantId: number | null; note: string | null };
  /** Undefined when the stored outcome is final, so nothing was re-applied. */
  decision?: EventDecision;
  /** Whether the stored outcome, club or note changed (or would, in a dry run). */
  changed: boolean;
}

export interface StoredEvent {
  id: string;
  type: string;
  tenantId: number | null;
  outcome: EventOutcome | null;
  note: string | null;
  /** As delivered: readEvent says whether it is an event Courtside can apply. */
  payload: unknown;
}

/** Thrown inside a transaction to roll it back while still returning what it decided. */
class RollBack<T> {
  constructor(readonly result: T) {}
}

/**
 * The webhook inbox. Each event is stored under its Stripe id and applied in the same
 * transaction: a duplicate or concurrent delivery finds the row and changes nothing; a
 * failure rolls both back, so Stripe's redelivery applies it exactly once (money rule 5).
 * Deliveries, `reconcile` and `webhooks:replay` all apply events through here.
 */
@Injectable()
export class StripeEventsService {
  private readonly logger = new Logger(StripeEventsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly stripe: StripeService,
    private readonly payments: PaymentEventsService,
    private readonly jobs: JobsService,
  ) {}

  /**
   * A delivery: once its signature matches, whatever it holds is stored with an outcome
   * (stripe-delivery.ts), so nothing in it can make Stripe retry it for days.
   */
  async receive(
    rawBody: Buffer | undefined,
    signature: string | undefined,
  ): Promise<EventDecision> {
    if (!rawBody || !this.stripe.isSignedByStripe(rawBody, signature))
      throw new DomainException(
        'validation_failed',
        'The Stripe signature does not match this payload',
      );
    return (await this.keep(readDelivery(rawBody))).decision;
  }

  /** Stores and applies an event read from Stripe's API once, as its delivery would be. */
  record(event: StripeEventPayload, options: RecordOptions = {}): Promise<Recorded> {
    return this.keep(inboxEntryOf(event), options);
  }

  /**
   * Stores and applies the entry in one transaction. When PostgreSQL refuses a value the event
   * brought (isRefusedValue: a content readEvent let through), every retry would fail alike and
   * the payment would never be recorded: the event is then stored unapplied for a person, with the
   * database's words, and `webhooks:replay` applies it once the cause is fixed. Any other failure
   * (the database down, a deadlock, a fault of ours) rolls back and is answered 5xx, so Stripe
   * retries.
   */
  private async keep(entry: InboxEntry, options: RecordOptions = {}): Promise<Recorded> {
    try {
      return await this.storeOnce(entry, options);
    } catch (error) {
      if (!isRefusedValue(error)) throw error;
      this.logger.error(`Stripe event ${entry.id} kept unapplied: ${error.message}`);
      return this.storeOnce(
        entry,
        options,
        `the database refused this event's content (${error.message}); nothing was applied`,
      );
    }
  }

  private async storeOnce(
    entry: InboxEntry,
    options: RecordOptions,
    unapplied?: string,
  ): Promise<Recorded> {
    const { result: decision, kept } = await this.transaction(
      async (manager) => {
        if (options.dryRun)
          for (const earlier of options.dryRunAfter ?? [])
            await this.store(manager, inboxEntryOf(earlier));
        return this.store(manager, entry, unapplied);
      },
      (decision) =>
        !options.dryRun &&
        (decision.outcome === 'duplicate' ||
          options.onlyForTenant === undefined ||
          decision.tenantId === options.onlyForTenant),
    );
    return { decision, kept };
  }

  /**
   * Applies a stored event again (after its cause was fixed), under its row's lock so that a
   * concurrent delivery waits. Order transitions are guarded, so a second apply changes nothing;
   * final outcomes (processed, ignored, duplicate) are left alone. Not a delivery: `attempts`
   * stays as Stripe's count.
   */
  async reapply(
    eventId: string,
    options: { dryRun?: boolean; dryRunAfter?: string[] } = {},
  ): Promise<Reapplied> {
    const { result } = await this.transaction(
      async (manager) => {
        if (options.dryRun)
          for (const earlier of options.dryRunAfter ?? []) await this.applyStored(manager, earlier);
        return this.applyStored(manager, eventId);
      },
      () => !options.dryRun,
    );
    return result;
  }

  /** Which of these events are already in the inbox, with what they came to. */
  async stored(ids: readonly string[]): Promise<Map<string, Omit<StoredEvent, 'payload'>>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.manager.find(StripeEvent, {
      select: { id: true, type: true, tenantId: true, outcome: true, error: true },
      where: { id: In([...ids]) },
    });
    return new Map(
      rows.map((row) => [
        row.id,
        {
          id: row.id,
          type: row.type,
          tenantId: row.tenantId,
          outcome: row.outcome,
          note: row.error,
        },
      ]),
    );
  }

  /**
   * Stored events to re-apply: one by id, or every one with an outcome (of one club, when
   * given), oldest first by Stripe's clock so that a payment goes before its refund.
   */
  async findStored(
    filter: { id: string } | { outcome: ReplayableOutcome; tenantId?: number },
  ): Promise<StoredEvent[]> {
    const rows = (await this.db.query(
      `SELECT id, type, tenant_id, outcome, error, payload FROM stripe_events
       WHERE ${'id' in filter ? 'id = $1' : 'outcome = $1 AND ($2::int IS NULL OR tenant_id = $2)'}
       ORDER BY ${STRIPE_CREATED}, received_at, id`,
      'id' in filter ? [filter.id] : [filter.outcome, filter.tenantId ?? null],
    )) as {
      id: string;
      type: string;
      tenant_id: number | null;
      outcome: EventOutcome | null;
      error: string | null;
      payload: unknown;
    }[];
    return rows.map((row) => ({
      id: row.id,
      type: row.type,
      tenantId: row.tenant_id,
      outcome: row.outcome,
      note: row.error,
      payload: row.payload,
    }));
  }

  /**
   * The inbox insert and the apply (or, with `unapplied`, that note for a person instead): a
   * duplicate only counts one more delivery.
   */
  private async store(
    manager: EntityManager,
    entry: InboxEntry,
    unapplied?: string,
  ): Promise<EventDecision> {
    const inserted = await preparedQuery<unknown[]>(
      manager,
      `INSERT INTO stripe_events (id, type, livemode, api_version, payload) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [entry.id, entry.type, entry.livemode, entry.apiVersion, JSON.stringify(entry.payload)],
    );
    if (inserted.length === 0) {
      await preparedQuery(
        manager,
        'UPDATE stripe_events SET attempts = attempts + 1 WHERE id = $1',
        [entry.id],
      );
      return decide('duplicate');
    }
    const decision =
      unapplied === undefined
        ? await this.applyWithJobs(manager, entry.payload)
        : decide('needs_review', unapplied);
    await this.saveDecision(manager, entry.id, decision);
    return decision;
  }

  private async applyStored(manager: EntityManager, eventId: string): Promise<Reapplied> {
    const row = await manager.findOne(StripeEvent, {
      where: { id: eventId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!row) throw DomainException.notFound('Stripe event', eventId);
    const reapplied: Reapplied = {
      id: row.id,
      type: row.type,
      before: { outcome: row.outcome, tenantId: row.tenantId, note: row.error },
      changed: false,
    };
    if (row.outcome && !isReplayable(row.outcome)) return reapplied;
    const decision = await this.applyWithJobs(manager, row.payload);
    reapplied.decision = decision;
    reapplied.changed =
      decision.outcome !== row.outcome ||
      (decision.tenantId ?? null) !== row.tenantId ||
      (decision.note ?? null) !== row.error;
    if (reapplied.changed) await this.saveDecision(manager, row.id, decision);
    return reapplied;
  }

  /**
   * Stores what the event came to. When it recorded a payment, the same statement asks whether
   * refunds or disputes wait for that PaymentIntent (money rule 6; it runs after the
   * PaymentIntent's lock was taken), so a payment with nothing waiting costs no extra round trip.
   */
  private async saveDecision(
    manager: EntityManager,
    eventId: string,
    decision: EventDecision,
  ): Promise<void> {
    const [[saved]] = await preparedQuery<[{ awaited: boolean }[], number]>(
      manager,
      `UPDATE stripe_events
       SET outcome = $2, tenant_id = $3, error = $4, processed_at = clock_timestamp()
       WHERE id = $1
       RETURNING $5::text IS NOT NULL AND EXISTS (
         SELECT 1 FROM stripe_events waiting WHERE ${waitingFor('$5')}
       ) AS awaited`,
      [
        eventId,
        decision.outcome,
        decision.tenantId ?? null,
        decision.note ?? null,
        decision.paidPaymentIntent ?? null,
      ],
    );
    if (saved?.awaited && decision.paidPaymentIntent)
      await this.applyWaitingEvents(manager, decision.paidPaymentIntent);
  }

  /**
   * Refunds and disputes that arrived before their payment (money rule 6), applied once the
   * payment is recorded, in its transaction, oldest first. The PaymentIntent's lock came with the
   * order: any refund or dispute still looking for this payment has finished looking (and is
   * found here), or will find the order.
   */
  private async applyWaitingEvents(manager: EntityManager, paymentIntentId: string) {
    const waiting = await preparedQuery<{ id: string; payload: unknown }[]>(
      manager,
      `SELECT id, payload FROM stripe_events WHERE ${waitingFor('$1')}
       ORDER BY ${STRIPE_CREATED}, received_at`,
      [paymentIntentId],
    );
    for (const event of waiting)
      await this.saveDecision(manager, event.id, await this.apply(manager, event.payload));
  }

  /** Applies the event; the jobs it queues are written in one insert (JobsService.batched). */
  private applyWithJobs(manager: EntityManager, payload: unknown): Promise<EventDecision> {
    return this.jobs.batched(manager, async () => this.apply(manager, payload));
  }

  private apply(manager: EntityManager, payload: unknown): Promise<EventDecision> | EventDecision {
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
        return this.payments.chargeRefunded(manager, event.data.object);
      case 'charge.dispute.created':
        return this.payments.disputeCreated(manager, event.data.object);
      case 'checkout.session.expired':
        return decide('ignored', 'an expired session changes nothing: its link stays payable');
      default:
        return decide('ignored', `Courtside does not handle ${event.type}`);
    }
  }

  /** One transaction that commits only when `keep` says so; a dry run rolls back its writes. */
  private async transaction<T>(
    work: (manager: EntityManager) => Promise<T>,
    keep: (result: T) => boolean,
  ): Promise<{ result: T; kept: boolean }> {
    try {
      const result = await this.db.transaction(async (manager) => {
        const decided = await work(manager);
        if (!keep(decided)) throw new RollBack(decided);
        return decided;
      });
      return { result, kept: true };
    } catch (error) {
      if (error instanceof RollBack) return { result: error.result as T, kept: false };
      throw error;
    }
  }
}

function isReplayable(outcome: EventOutcome): outcome is ReplayableOutcome {
  return (REPLAYABLE_OUTCOMES as readonly string[]).includes(outcome);
}
