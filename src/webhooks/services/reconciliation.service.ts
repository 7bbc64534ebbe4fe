import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ClubsService } from '../../club/services/clubs.service';
import { DomainException } from '../../common/errors/domain.exception';
import type { CheckoutSession, StripeEventPayload } from '../../stripe/stripe-objects';
import { StripeService } from '../../stripe/stripe.service';
import {
  ordersNotPaidHere,
  ordersPaidSince,
  orderKey,
  orderOfPaymentIntent,
  orderStatus,
  NOT_PAID_HERE,
  OrderRef,
  PaidOrder,
  storedSessionEvents,
  StoredSessionEvent,
} from '../reconciliation.queries';
import { idOf, readOrderMetadata } from './event-decision';
import { reconcileSince } from './reconcile-window';
import { REPLAYABLE_OUTCOMES, ReplayableOutcome } from '../entities/stripe-event.entity';
import { StoredEvent, StripeEventsRepository } from '../repositories/stripe-events.repository';
import { APPLIED_EVENT_TYPES } from './event-application.service';
import { EventReplayService } from './event-replay.service';
import { StripeEventsService } from './stripe-events.service';

type Cell = string | number | null;

/** What one step came to; the CLI's operation runner prints it (a thrown error is `failed`). */
export interface StepOutcome {
  status: 'done' | 'would_do' | 'unchanged' | 'skipped';
  result: string;
  columns?: Record<string, Cell>;
  /** Stripe and Courtside disagree about a payment and reconcile cannot settle it alone. */
  needsPerson?: boolean;
}

/** One event to apply or one payment to compare; `run(false)` writes nothing. */
export interface ReconcileStep {
  columns: Record<string, Cell>;
  run: (commit: boolean) => Promise<StepOutcome>;
}

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
 * Catches Courtside up with Stripe after missed webhooks (`reconcile`) and re-applies stored
 * events whose cause was fixed (`webhooks:replay`). It lives in WebhooksModule, not in
 * BillingModule, because it applies events through the inbox (StripeEventsService.record, the
 * webhook's own code path) and BillingModule is a dependency of WebhooksModule, not the reverse.
 *
 * Steps must run one at a time and in the order given: events in Stripe's time order (a refund
 * after its payment), then the payment comparisons, which read what the events changed.
 */
@Injectable()
export class ReconciliationService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly stripe: StripeService,
    private readonly events: StripeEventsService,
    private readonly inbox: StripeEventsRepository,
    private readonly replays: EventReplayService,
    private readonly clubs: ClubsService,
  ) {}

  async reconcile(clubs: ReconcileClub[], options: ReconcileOptions): Promise<ReconcileStep[]> {
    const since = reconcileSince(options.since, new Date());
    const label = await this.clubLabels();
    const tenantIds =
      options.tenantOnly === undefined ? clubs.map((club) => club.tenantId) : [options.tenantOnly];
    const inScope = (tenantId: number) => tenantIds.includes(tenantId);

    const events = await this.stripe.eventsSince(since, [...APPLIED_EVENT_TYPES]);
    const stored = await this.inbox.stored(events.map((event) => event.id));
    const steps: ReconcileStep[] = [];
    const paidByThisRun = new Set<string>();
    const unappliedByPayment = new Map<string, StripeEventPayload[]>();
    for (const event of events) {
      const known = stored.get(event.id);
      if (!known) {
        const session = sessionPaidBy(event);
        if (session) paidByThisRun.add(session);
        const samePayment = unappliedByPayment.get(paymentOf(event)) ?? [];
        steps.push(this.applyStep(event, [...samePayment], label, options.tenantOnly));
        unappliedByPayment.set(paymentOf(event), [...samePayment, event]);
      } else if (options.tenantOnly === undefined || known.tenantId === options.tenantOnly) {
        steps.push(this.storedStep(event, known, label));
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
  async replay(options: ReplayOptions): Promise<ReconcileStep[]> {
    if ((options.event === undefined) === (options.outcome === undefined))
      throw new DomainException(
        'validation_failed',
        `Give either --event <id> or --outcome <${REPLAYABLE_OUTCOMES.join('|')}>`,
      );
    if (options.outcome !== undefined && !isReplayableOutcome(options.outcome))
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
      return this.replayStep(event, samePayment, label, options.tenantOnly);
    });
  }

  /** `before`: this run's earlier events of the same payment (see RecordOptions.dryRunAfter). */
  private applyStep(
    event: StripeEventPayload,
    before: StripeEventPayload[],
    label: ClubLabels,
    tenantOnly: number | undefined,
  ): ReconcileStep {
    const named = namedOrder(event);
    return {
      columns: {
        club: named ? label(named.tenantId) : null,
        event: event.id,
        type: event.type,
        order: named?.orderId ?? null,
      },
      run: async (commit) => {
        const { decision } = await this.events.record(event, {
          dryRun: !commit,
          onlyForTenant: tenantOnly,
          dryRunAfter: before,
        });
        const columns = await this.decidedColumns(event, decision.tenantId, label, before);
        if (decision.outcome === 'duplicate')
          return { status: 'unchanged', result: 'already received (delivered meanwhile)', columns };
        if (tenantOnly !== undefined && decision.tenantId !== tenantOnly)
          return {
            status: 'skipped',
            result:
              decision.tenantId === undefined
                ? `names no club (${describe(decision)}): run reconcile without --tenant`
                : `for club ${label(decision.tenantId)}: run reconcile with --tenant ${label(decision.tenantId)}`,
            columns,
          };
        return { status: commit ? 'done' : 'would_do', result: describe(decision), columns };
      },
    };
  }

  private storedStep(
    event: StripeEventPayload,
    known: Omit<StoredEvent, 'payload'>,
    label: ClubLabels,
  ): ReconcileStep {
    return {
      columns: {
        club: known.tenantId === null ? null : label(known.tenantId),
        event: event.id,
        type: event.type,
        order: namedOrder(event)?.orderId ?? null,
      },
      run: async () => ({
        status: 'unchanged',
        result: `already received: ${describe({ outcome: known.outcome ?? 'failed', note: known.note ?? undefined })}`,
        columns: await this.decidedColumns(event, known.tenantId ?? undefined, label),
      }),
    };
  }

  /**
   * Sessions Stripe shows paid, for an order of ours that is not paid here, that no event of
   * this run pays. A session whose paying event is stored (unmatched, say) needs that cause
   * fixed; one with no such event (Stripe no longer lists it) is applied as a synthetic
   * `checkout.session.completed` with id `reconcile:<session>`: the webhook's code path, once.
   */
  private async paidAtStripeSteps(
    sessions: CheckoutSession[],
    paidByThisRun: Set<string>,
    inScope: (tenantId: number) => boolean,
    tenantIds: number[],
    label: ClubLabels,
  ): Promise<ReconcileStep[]> {
    const candidates: { session: CheckoutSession; order: OrderRef }[] = [];
    for (const session of sessions) {
      if (session.payment_status !== 'paid' || paidByThisRun.has(session.id)) continue;
      const ids = readOrderMetadata(session.metadata);
      if (typeof ids === 'string' || !inScope(ids.tenantId)) continue;
      candidates.push({ session, order: { tenantId: ids.tenantId, orderId: ids.orderId } });
    }
    const notPaid = await ordersNotPaidHere(
      this.db.manager,
      candidates.map((candidate) => candidate.order),
    );
    const differences = candidates.filter(({ order }) =>
      notPaid.has(orderKey(order.tenantId, order.orderId)),
    );
    const storedEvents = await storedSessionEvents(
      this.db.manager,
      differences.map(({ session }) => session.id),
      tenantIds,
    );
    return differences.map(({ session, order }) =>
      this.paidAtStripeStep(session, order, storedEvents.get(session.id), label),
    );
  }

  private paidAtStripeStep(
    session: CheckoutSession,
    order: OrderRef,
    stored: StoredSessionEvent | undefined,
    label: ClubLabels,
  ): ReconcileStep {
    return {
      columns: {
        club: label(order.tenantId),
        event: session.id,
        type: 'session paid at Stripe',
        order: order.orderId,
      },
      run: async (commit) => {
        const status = await orderStatus(this.db.manager, order);
        if (status && !NOT_PAID_HERE.includes(status))
          return { status: 'unchanged', result: `paid here too: the order is ${status}` };
        if (stored)
          return {
            status: 'skipped',
            result: `paid at Stripe, not here (order ${status}): its event ${stored.id} was stored as ${describe({ outcome: stored.outcome ?? 'failed', note: stored.error ?? undefined })}; fix that, then run webhooks:replay --event ${stored.id}`,
            needsPerson: true,
          };
        const synthetic = sessionCompletedEvent(session);
        const { decision, kept } = await this.events.record(synthetic, {
          dryRun: !commit,
          onlyForTenant: order.tenantId,
        });
        const recorded = `${commit ? 'recorded' : 'would record'} as ${synthetic.id}: ${describe(decision)}`;
        if (decision.outcome === 'duplicate')
          return { status: 'unchanged', result: `already reconciled as ${synthetic.id}` };
        if (commit && !kept)
          return {
            status: 'skipped',
            result: `paid at Stripe, not here: ${describe(decision)}`,
            needsPerson: true,
          };
        return {
          status: commit ? 'done' : 'would_do',
          result: `paid at Stripe, not here (order ${status}): ${recorded}`,
          needsPerson: decision.outcome !== 'processed',
        };
      },
    };
  }

  /**
   * Orders paid here since `since` whose Checkout Session Stripe does not list as paid. Reported
   * only: Courtside never takes a payment back on its own.
   */
  private async paidHereSteps(
    sessions: CheckoutSession[],
    tenantIds: number[],
    since: Date,
    label: ClubLabels,
  ): Promise<ReconcileStep[]> {
    const listed = new Map(sessions.map((session) => [session.id, session]));
    const orders = await ordersPaidSince(this.db.manager, tenantIds, since);
    return orders
      .filter((order) => !isPaidSessionOf(listed.get(order.session_id), order))
      .map((order) => ({
        columns: {
          club: label(order.tenant_id),
          event: order.session_id,
          type: 'order paid here',
          order: order.id,
        },
        // A session created before --since and paid after it is not in the list: ask for it.
        run: async () => {
          const session =
            listed.get(order.session_id) ??
            (await this.stripe.findCheckoutSession(order.session_id));
          if (!session)
            return {
              status: 'skipped',
              result: `paid here (${order.status}), unknown to Stripe: Stripe has no Checkout Session ${order.session_id}`,
              needsPerson: true,
            };
          if (session.payment_status !== 'paid')
            return {
              status: 'skipped',
              result: `paid here (${order.status}), not at Stripe: Stripe shows session ${session.id} ${session.status}, ${session.payment_status}`,
              needsPerson: true,
            };
          if (!isPaidSessionOf(session, order))
            return {
              status: 'skipped',
              result: `paid here (${order.status}), but Stripe's session ${session.id} is for another order`,
              needsPerson: true,
            };
          return { status: 'unchanged', result: 'paid at Stripe too' };
        },
      }));
  }

  private replayStep(
    event: StoredEvent,
    earlier: string[],
    label: ClubLabels,
    tenantOnly: number | undefined,
  ): ReconcileStep {
    return {
      columns: {
        club: event.tenantId === null ? null : label(event.tenantId),
        event: event.id,
        type: event.type,
        order: namedOrder(event.payload)?.orderId ?? null,
      },
      run: async (commit) => {
        if (tenantOnly !== undefined && event.tenantId !== tenantOnly)
          return {
            status: 'skipped',
            result: `stored for ${event.tenantId === null ? 'no club' : `club ${label(event.tenantId)}`}, not the --tenant club`,
          };
        const reapplied = await this.replays.reapply(event.id, {
          dryRun: !commit,
          dryRunAfter: earlier,
        });
        if (!reapplied.decision) {
          const stored = describe({
            outcome: reapplied.before.outcome ?? 'failed',
            note: reapplied.before.note ?? undefined,
          });
          return { status: 'unchanged', result: `${stored}: final, nothing to re-apply` };
        }
        const columns = await this.decidedColumns(
          event.payload,
          reapplied.decision.tenantId,
          label,
        );
        if (!reapplied.changed)
          return { status: 'unchanged', result: `still ${describe(reapplied.decision)}`, columns };
        return {
          status: commit ? 'done' : 'would_do',
          result: `${reapplied.before.outcome} → ${describe(reapplied.decision)}`,
          columns,
        };
      },
    };
  }

  /** The club and order a decided event is about, for the report. */
  private async decidedColumns(
    event: unknown,
    tenantId: number | undefined,
    label: ClubLabels,
    samePayment: StripeEventPayload[] = [],
  ): Promise<Record<string, Cell>> {
    const named = namedOrder(event);
    if (tenantId === undefined) return { club: null, order: named?.orderId ?? null };
    // Refunds and disputes name only the PaymentIntent: its payment's events name the order.
    const order = [event, ...samePayment]
      .map(namedOrder)
      .find((candidate) => candidate?.tenantId === tenantId);
    if (order) return { club: label(tenantId), order: order.orderId };
    const paymentIntent = paymentIntentOf(event);
    return {
      club: label(tenantId),
      order: paymentIntent
        ? await orderOfPaymentIntent(this.db.manager, tenantId, paymentIntent)
        : null,
    };
  }

  private async clubLabels(): Promise<ClubLabels> {
    const all = await this.clubs.forOperator(undefined, ACTOR);
    const slugs = new Map(all.map((club) => [club.tenantId, club.slug]));
    return (tenantId) => slugs.get(tenantId) ?? `#${tenantId}`;
  }
}

type ClubLabels = (tenantId: number) => string;

const describe = (decision: { outcome: string; note?: string }): string =>
  decision.note ? `${decision.outcome}: ${decision.note}` : decision.outcome;

function isReplayableOutcome(outcome: string): outcome is ReplayableOutcome {
  return (REPLAYABLE_OUTCOMES as readonly string[]).includes(outcome);
}

/** What reconcile reads of an event's object; a stored payload may hold none of it (readEvent). */
interface EventObject {
  id?: unknown;
  object?: unknown;
  metadata?: Record<string, string> | null;
  payment_intent?: unknown;
  payment_status?: unknown;
}

function objectOf(event: unknown): EventObject {
  const object = (event as { data?: { object?: unknown } } | null)?.data?.object;
  return typeof object === 'object' && object !== null ? (object as EventObject) : {};
}

/** The club and order the event's own metadata names, if any. */
function namedOrder(event: unknown): OrderRef | undefined {
  const ids = readOrderMetadata(objectOf(event).metadata);
  return typeof ids === 'string' ? undefined : { tenantId: ids.tenantId, orderId: ids.orderId };
}

function paymentIntentOf(event: unknown): string | null {
  const object = objectOf(event);
  return idOf(object.object === 'payment_intent' ? object.id : object.payment_intent);
}

/** Events of one payment (its PaymentIntent) depend on each other: a refund needs its payment. */
const paymentOf = (event: unknown): string =>
  paymentIntentOf(event) ?? idOf(objectOf(event).id) ?? '';

/** The session an event pays, when it is one that pays a session. */
function sessionPaidBy(event: StripeEventPayload): string | undefined {
  const object = objectOf(event);
  const paying =
    event.type === 'checkout.session.async_payment_succeeded' ||
    (event.type === 'checkout.session.completed' && object.payment_status === 'paid');
  return (paying && idOf(object.id)) || undefined;
}

function isPaidSessionOf(session: CheckoutSession | undefined, order: PaidOrder): boolean {
  if (!session || session.payment_status !== 'paid') return false;
  const ids = readOrderMetadata(session.metadata);
  // A legacy session may carry no metadata: its id on the order is what ties them.
  return typeof ids === 'string' || (ids.tenantId === order.tenant_id && ids.orderId === order.id);
}

/** A `checkout.session.completed` made from the session as Stripe lists it now. */
function sessionCompletedEvent(session: CheckoutSession): StripeEventPayload {
  return {
    id: `reconcile:${session.id}`,
    object: 'event',
    api_version: null,
    created: Math.floor(Date.now() / 1000),
    data: { object: session },
    livemode: session.livemode,
    pending_webhooks: 0,
    request: null,
    type: 'checkout.session.completed',
  };
}
