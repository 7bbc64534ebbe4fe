import { Injectable } from '@nestjs/common';
import type { Cell, OperatorOutcome } from '../../common/operator-outcome';
import type { CheckoutSession, StripeEventPayload } from '../../stripe/stripe-objects';
import { StripeService } from '../../stripe/stripe.service';
import {
  NOT_PAID_HERE,
  PaidOrder,
  ReconciliationRepository,
  StoredSessionEvent,
} from '../repositories/reconciliation.repository';
import {
  isPaidSessionOf,
  namedOrder,
  OrderRef,
  paymentIntentOf,
  sessionCompletedEvent,
} from '../stripe-payload';
import { StoredEvent } from '../repositories/stripe-events.repository';
import { EventReplayService } from './event-replay.service';
import { StripeEventsService } from './stripe-events.service';

/** A club's slug for the report (`#<id>` for a club the operator cannot see). */
export type ClubLabels = (tenantId: number) => string;

/**
 * Runs the steps ReconciliationService plans, each when its turn comes (it reads what the
 * steps before it changed): applies an event through the inbox (StripeEventsService, the
 * webhook's own code path) or re-checks a payment difference and reports it. `commit: false`
 * decides and writes nothing.
 */
@Injectable()
export class ReconciliationApplyService {
  constructor(
    private readonly stripe: StripeService,
    private readonly events: StripeEventsService,
    private readonly replays: EventReplayService,
    private readonly reads: ReconciliationRepository,
  ) {}

  /** An event Courtside never received. `before`: this run's earlier events of its payment. */
  async applyEvent(
    event: StripeEventPayload,
    before: StripeEventPayload[],
    label: ClubLabels,
    tenantOnly: number | undefined,
    commit: boolean,
  ): Promise<OperatorOutcome> {
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
  }

  /** An event Courtside stored already: what it came to. */
  async reportStored(
    event: StripeEventPayload,
    known: Omit<StoredEvent, 'payload'>,
    label: ClubLabels,
  ): Promise<OperatorOutcome> {
    return {
      status: 'unchanged',
      result: `already received: ${describe({ outcome: known.outcome ?? 'failed', note: known.note ?? undefined })}`,
      columns: await this.decidedColumns(event, known.tenantId ?? undefined, label),
    };
  }

  /**
   * A session Stripe shows paid for an order not paid here. With its paying event stored
   * (unmatched, say) that cause needs fixing; without one (Stripe no longer lists it) it is
   * applied as a synthetic `checkout.session.completed` with id `reconcile:<session>`: the
   * webhook's code path, once.
   */
  async applyPaidAtStripe(
    session: CheckoutSession,
    order: OrderRef,
    stored: StoredSessionEvent | undefined,
    commit: boolean,
  ): Promise<OperatorOutcome> {
    const status = await this.reads.orderStatus(order);
    if (status && !NOT_PAID_HERE.includes(status))
      return { status: 'unchanged', result: `paid here too: the order is ${status}` };
    if (stored)
      return {
        status: 'skipped',
        result: `paid at Stripe, not here (order ${status}): its event ${stored.id} was stored as ${describe({ outcome: stored.outcome ?? 'failed', note: stored.error ?? undefined })}; fix that, then run webhooks:replay --event ${stored.id}`,
        needsPerson: true,
      };
    const synthetic = sessionCompletedEvent(session, new Date());
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
  }

  /**
   * An order paid here whose session Stripe did not list as paid: reported only, as Courtside
   * never takes a payment back on its own. A session created before `--since` and paid after it
   * is not in the list (`listed` is undefined): Stripe is asked for it.
   */
  async checkPaidHere(
    order: PaidOrder,
    listed: CheckoutSession | undefined,
  ): Promise<OperatorOutcome> {
    const session = listed ?? (await this.stripe.findCheckoutSession(order.sessionId));
    if (!session)
      return {
        status: 'skipped',
        result: `paid here (${order.status}), unknown to Stripe: Stripe has no Checkout Session ${order.sessionId}`,
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
  }

  /** `webhooks:replay` of one stored event. `earlier`: this run's earlier events of its payment. */
  async replayEvent(
    event: StoredEvent,
    earlier: string[],
    label: ClubLabels,
    tenantOnly: number | undefined,
    commit: boolean,
  ): Promise<OperatorOutcome> {
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
    const columns = await this.decidedColumns(event.payload, reapplied.decision.tenantId, label);
    if (!reapplied.changed)
      return { status: 'unchanged', result: `still ${describe(reapplied.decision)}`, columns };
    return {
      status: commit ? 'done' : 'would_do',
      result: `${reapplied.before.outcome} → ${describe(reapplied.decision)}`,
      columns,
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
      order: paymentIntent ? await this.reads.orderOfPaymentIntent(tenantId, paymentIntent) : null,
    };
  }
}

const describe = (decision: { outcome: string; note?: string }): string =>
  decision.note ? `${decision.outcome}: ${decision.note}` : decision.outcome;
