import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainException } from '../../common/errors/domain.exception';
import { isRefusedValue } from '../../common/errors/postgres-errors';
import type { StripeEventPayload } from '../../stripe/stripe-objects';
import { StripeService } from '../../stripe/stripe.service';
import { StripeEventsRepository } from '../repositories/stripe-events.repository';
import { commitWhen } from './commit-when';
import { decide, EventDecision } from './event-decision';
import { EventApplicationService } from './event-application.service';
import { InboxEntry, inboxEntryOf, readDelivery } from './stripe-delivery';

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

/**
 * The webhook inbox. Each event is stored under its Stripe id and applied in the same
 * transaction: a duplicate or concurrent delivery finds the row and changes nothing; a
 * failure rolls both back, so Stripe's redelivery applies it exactly once (money rule 5).
 * Deliveries and `reconcile` store events through here; `webhooks:replay` re-applies stored
 * ones (EventReplayService).
 */
@Injectable()
export class StripeEventsService {
  private readonly logger = new Logger(StripeEventsService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly stripe: StripeService,
    private readonly inbox: StripeEventsRepository,
    private readonly events: EventApplicationService,
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
    return (await this.storeAndApply(readDelivery(rawBody))).decision;
  }

  /** Stores and applies an event read from Stripe's API once, as its delivery would be. */
  record(event: StripeEventPayload, options: RecordOptions = {}): Promise<Recorded> {
    return this.storeAndApply(inboxEntryOf(event), options);
  }

  /**
   * Stores and applies the entry in one transaction. When PostgreSQL refuses a value the event
   * brought (isRefusedValue: a content readEvent let through), every retry would fail alike and
   * the payment would never be recorded: the event is then stored unapplied for a person, with the
   * database's words, and `webhooks:replay` applies it once the cause is fixed. Any other failure
   * (the database down, a deadlock, a fault of ours) rolls back and is answered 5xx, so Stripe
   * retries.
   */
  private async storeAndApply(entry: InboxEntry, options: RecordOptions = {}): Promise<Recorded> {
    try {
      return await this.storeInTransaction(entry, options);
    } catch (error) {
      if (!isRefusedValue(error)) throw error;
      this.logger.error(`Stripe event ${entry.id} kept unapplied: ${error.message}`);
      return this.storeInTransaction(
        entry,
        options,
        `the database refused this event's content (${error.message}); nothing was applied`,
      );
    }
  }

  private async storeInTransaction(
    entry: InboxEntry,
    options: RecordOptions,
    unapplied?: string,
  ): Promise<Recorded> {
    const { result: decision, kept } = await commitWhen(
      this.db,
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
   * The inbox insert and the apply (or, with `unapplied`, that note for a person instead): a
   * duplicate only counts one more delivery.
   */
  private async store(
    manager: EntityManager,
    entry: InboxEntry,
    unapplied?: string,
  ): Promise<EventDecision> {
    if (!(await this.inbox.insertNew(manager, entry))) {
      await this.inbox.countRedelivery(manager, entry.id);
      return decide('duplicate');
    }
    const decision =
      unapplied === undefined
        ? await this.events.apply(manager, entry.payload)
        : decide('needs_review', unapplied);
    await this.events.saveOutcome(manager, entry.id, decision);
    return decision;
  }
}
