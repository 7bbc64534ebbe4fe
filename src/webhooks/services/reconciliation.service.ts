import { Injectable } from '@nestjs/common';
import { ClubsService } from '../../club/services/clubs.service';
import { DomainException } from '../../common/errors/domain.exception';
import type { OperationItem } from '../../common/operator-outcome';
import type { CheckoutSession, StripeEventPayload } from '../../stripe/stripe-objects';
import { StripeService } from '../../stripe/stripe.service';
import { orderKey, ReconciliationRepository } from '../repositories/reconciliation.repository';
import {
  isPaidSessionOf,
  namedOrder,
  OrderRef,
  paymentOf,
  readOrderMetadata,
  sessionPaidBy,
} from '../stripe-payload';
import { ClubLabels, ReconciliationApplyService } from './reconciliation-apply.service';
import { reconcileSince } from './reconcile-window';
import {
  isReplayable,
  REPLAYABLE_OUTCOMES,
  ReplayableOutcome,
} from '../entities/stripe-event.entity';
import { StripeEventsRepository } from '../repositories/stripe-events.repository';
import { APPLIED_EVENT_TYPES } from './event-application.service';

export interface ReconcileClub {
  tenantId: number;
  slug: string;
}

export interface ReconcileOptions {
  /** `--since`, unchecked (see reconcileSince). */
  since?: string;
  /** `--tenant`: apply only events whose decision names this club. */
  tenantOnly?: number;
}

export interface ReplayOptions {
  event?: string;
  outcome?: string;
  tenantOnly?: number;
}

const ACTOR = 'cli:reconcile';

/**
 * Plans `reconcile` (catching Courtside up with Stripe after missed webhooks) and
 * `webhooks:replay` (re-applying stored events whose cause was fixed): what Stripe says against
 * what Courtside has, as the steps a run would take; ReconciliationApplyService runs each. It
 * lives in WebhooksModule, not in BillingModule, because it applies events through the inbox
 * (StripeEventsService.record, the webhook's own code path) and BillingModule is a dependency
 * of WebhooksModule, not the reverse.
 *
 * Steps must run one at a time and in the order given: events in Stripe's time order (a refund
 * after its payment), then the payment comparisons, which read what the events changed.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    private readonly stripe: StripeService,
    private readonly inbox: StripeEventsRepository,
    private readonly clubs: ClubsService,
    private readonly reads: ReconciliationRepository,
    private readonly apply: ReconciliationApplyService,
  ) {}

  async reconcile(clubs: ReconcileClub[], options: ReconcileOptions): Promise<OperationItem[]> {
    const since = reconcileSince(options.since, new Date());
    const label = await this.clubLabels();
    const tenantIds =
      options.tenantOnly === undefined ? clubs.map((club) => club.tenantId) : [options.tenantOnly];
    const inScope = (tenantId: number) => tenantIds.includes(tenantId);

    const events = await this.stripe.eventsSince(since, [...APPLIED_EVENT_TYPES]);
    const stored = await this.inbox.stored(events.map((event) => event.id));
    const steps: OperationItem[] = [];
    const paidByThisRun = new Set<string>();
    const unappliedByPayment = new Map<string, StripeEventPayload[]>();
    for (const event of events) {
      const known = stored.get(event.id);
      if (!known) {
        const named = namedOrder(event);
        const session = sessionPaidBy(event);
        if (session) paidByThisRun.add(session);
        const samePayment = unappliedByPayment.get(paymentOf(event)) ?? [];
        steps.push({
          columns: eventColumns(event, named ? label(named.tenantId) : null),
          run: (commit) =>
            this.apply.applyEvent(event, [...samePayment], label, options.tenantOnly, commit),
        });
        unappliedByPayment.set(paymentOf(event), [...samePayment, event]);
      } else if (options.tenantOnly === undefined || known.tenantId === options.tenantOnly) {
        steps.push({
          columns: eventColumns(event, known.tenantId === null ? null : label(known.tenantId)),
          run: () => this.apply.reportStored(event, known, label),
        });
      }
    }

    const sessions = await this.stripe.completedSessionsSince(since);
    steps.push(
      ...(await this.paidAtStripeSteps(sessions, paidByThisRun, inScope, tenantIds, label)),
    );
    steps.push(...(await this.paidHereSteps(sessions, tenantIds, since, label)));
    return steps;
  }

  /** `webhooks:replay`: stored events by id or by outcome (of one club with `tenantOnly`). */
  async replay(options: ReplayOptions): Promise<OperationItem[]> {
    if ((options.event === undefined) === (options.outcome === undefined))
      throw new DomainException(
        'validation_failed',
        `Give either --event <id> or --outcome <${REPLAYABLE_OUTCOMES.join('|')}>`,
      );
    if (options.outcome !== undefined && !isReplayable(options.outcome))
      throw new DomainException(
        'validation_failed',
        `--outcome must be one of ${REPLAYABLE_OUTCOMES.join(', ')}: the others are final`,
      );
    const label = await this.clubLabels();
    const stored = await this.inbox.findStored(
      options.event !== undefined
        ? { id: options.event }
        : { outcome: options.outcome as ReplayableOutcome, tenantId: options.tenantOnly },
    );
    if (options.event !== undefined && stored.length === 0)
      throw DomainException.notFound('Stripe event', options.event);
    const byPayment = new Map<string, string[]>();
    return stored.map((event) => {
      const samePayment = byPayment.get(paymentOf(event.payload)) ?? [];
      byPayment.set(paymentOf(event.payload), [...samePayment, event.id]);
      return {
        columns: {
          club: event.tenantId === null ? null : label(event.tenantId),
          event: event.id,
          type: event.type,
          order: namedOrder(event.payload)?.orderId ?? null,
        },
        run: (commit) =>
          this.apply.replayEvent(event, samePayment, label, options.tenantOnly, commit),
      };
    });
  }

  /**
   * Sessions Stripe shows paid, for an order of ours that is not paid here, that no event of
   * this run pays.
   */
  private async paidAtStripeSteps(
    sessions: CheckoutSession[],
    paidByThisRun: Set<string>,
    inScope: (tenantId: number) => boolean,
    tenantIds: number[],
    label: ClubLabels,
  ): Promise<OperationItem[]> {
    const candidates: { session: CheckoutSession; order: OrderRef }[] = [];
    for (const session of sessions) {
      if (session.payment_status !== 'paid' || paidByThisRun.has(session.id)) continue;
      const ids = readOrderMetadata(session.metadata);
      if (typeof ids === 'string' || !inScope(ids.tenantId)) continue;
      candidates.push({ session, order: { tenantId: ids.tenantId, orderId: ids.orderId } });
    }
    const notPaid = await this.reads.ordersNotPaidHere(
      candidates.map((candidate) => candidate.order),
    );
    const differences = candidates.filter(({ order }) =>
      notPaid.has(orderKey(order.tenantId, order.orderId)),
    );
    const storedEvents = await this.reads.storedSessionEvents(
      differences.map(({ session }) => session.id),
      tenantIds,
    );
    return differences.map(({ session, order }) => ({
      columns: {
        club: label(order.tenantId),
        event: session.id,
        type: 'session paid at Stripe',
        order: order.orderId,
      },
      run: (commit) =>
        this.apply.applyPaidAtStripe(session, order, storedEvents.get(session.id), commit),
    }));
  }

  /** Orders paid here since `since` whose Checkout Session Stripe does not list as paid. */
  private async paidHereSteps(
    sessions: CheckoutSession[],
    tenantIds: number[],
    since: Date,
    label: ClubLabels,
  ): Promise<OperationItem[]> {
    const listed = new Map(sessions.map((session) => [session.id, session]));
    const orders = await this.reads.ordersPaidSince(tenantIds, since);
    return orders
      .filter((order) => !isPaidSessionOf(listed.get(order.sessionId), order))
      .map((order) => ({
        columns: {
          club: label(order.tenantId),
          event: order.sessionId,
          type: 'order paid here',
          order: order.orderId,
        },
        run: () => this.apply.checkPaidHere(order, listed.get(order.sessionId)),
      }));
  }

  private async clubLabels(): Promise<ClubLabels> {
    const all = await this.clubs.forOperator(undefined, ACTOR);
    const slugs = new Map(all.map((club) => [club.tenantId, club.slug]));
    return (tenantId) => slugs.get(tenantId) ?? `#${tenantId}`;
  }
}

const eventColumns = (event: StripeEventPayload, club: string | null) => ({
  club,
  event: event.id,
  type: event.type,
  order: namedOrder(event)?.orderId ?? null,
});
