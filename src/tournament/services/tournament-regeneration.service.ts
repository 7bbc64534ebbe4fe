import { Injectable } from '@nestjs/common';
import { ClubContext } from '../../club/auth/club-context';
import { isOrderOwed } from '../../orders/order-status';
import { DomainException } from '../../common/errors/domain.exception';
import { formatMoney } from '../../common/money/format-money';
import {
  linkProblem,
  metadataOwner,
  openSessionProblem,
  OrderToPay,
} from '../../payment-links/stripe-pay-checks';
import { StripeService } from '../../stripe/stripe.service';
import {
  TournamentFeeOrderRow,
  TournamentOrdersRepository,
} from '../repositories/tournament-orders.repository';
import { TournamentsRepository } from '../repositories/tournaments.repository';
import { TournamentCheckoutService } from './tournament-checkout.service';
import type { OperatorOutcome } from '../../common/operator-outcome';

/** With the replacement order and its pay URL. */
export type RegenerationStep = OperatorOutcome & { newOrderId?: number; payUrl?: string };

/** What a recorded fee order needs: nothing, an operator's attention, or replacing. */
type Diagnosis =
  | { action: 'none'; note: string }
  | { action: 'skip'; reason: string }
  | { action: 'replace'; reason: string }
  /** The order was cancelled (an interrupted replacement) and the player still plays. */
  | { action: 'rebill'; reason: string };

/**
 * Repairs a tournament's fee orders that cannot reconcile: a wrong amount (the fee was
 * corrected after the order was made, or the link sells another amount), a link that does not
 * name the order or is inactive, an expired or vanished session, or no pay link at all. Each
 * is cancelled (its link deactivated first) and the place billed again through checkout-links'
 * own code, under its lock. Paid and processing orders are never touched.
 */
@Injectable()
export class TournamentRegenerationService {
  constructor(
    private readonly stripe: StripeService,
    private readonly checkout: TournamentCheckoutService,
    private readonly tournaments: TournamentsRepository,
    private readonly tournamentOrders: TournamentOrdersRepository,
  ) {}

  /** The club (of these) the tournament belongs to; another club's id is not found. */
  async owningClub<C extends Pick<ClubContext, 'tenantId'>>(
    clubs: C[],
    tournamentId: number,
  ): Promise<C> {
    const tenantId = await this.tournaments.owningTenant(
      tournamentId,
      clubs.map((club) => club.tenantId),
    );
    const club = clubs.find((candidate) => candidate.tenantId === tenantId);
    if (!club) throw DomainException.notFound('Tournament', tournamentId);
    return club;
  }

  orders(tenantId: number, tournamentId: number): Promise<TournamentFeeOrderRow[]> {
    return this.tournamentOrders.feeOrders(tenantId, tournamentId);
  }

  async regenerate(
    club: ClubContext,
    tournamentId: number,
    row: TournamentFeeOrderRow,
    commit: boolean,
  ): Promise<RegenerationStep> {
    const first = await this.diagnose(club.tenantId, row);
    if (first.action === 'none' || first.action === 'skip' || !commit)
      return this.describe(first, row);
    // Decided again under checkout-links' lock: an admin's run may have changed the place.
    return this.checkout.withCheckoutLock(tournamentId, async () => {
      const [now] = await this.tournamentOrders.feeOrders(
        club.tenantId,
        tournamentId,
        row.player_id,
      );
      if (now?.order_id !== row.order_id)
        return {
          status: 'unchanged',
          result: `changed meanwhile: the player's order is now ${now?.order_id ?? 'none'}`,
        };
      const diagnosis = await this.diagnose(club.tenantId, now);
      if (diagnosis.action === 'none' || diagnosis.action === 'skip')
        return this.describe(diagnosis, now);
      if (diagnosis.action === 'replace') await this.expireOpenSession(club.tenantId, now);
      const billed =
        diagnosis.action === 'replace'
          ? await this.checkout.replaceOrder(club, tournamentId, now.player_id, now.order_id)
          : await this.checkout.billPlayer(club, tournamentId, now.player_id);
      if (!billed)
        return {
          status: 'done',
          result: `cancelled; the player no longer plays: ${diagnosis.reason}`,
        };
      return {
        status: 'done',
        result: `${diagnosis.action === 'replace' ? 'cancelled and replaced' : 'new order made'}: ${diagnosis.reason}`,
        newOrderId: billed.order_id,
        payUrl: billed.link?.url,
      };
    });
  }

  private describe(diagnosis: Diagnosis, row: TournamentFeeOrderRow): RegenerationStep {
    switch (diagnosis.action) {
      case 'none':
        return { status: 'unchanged', result: diagnosis.note };
      case 'skip':
        return { status: 'skipped', result: diagnosis.reason };
      case 'replace':
        return {
          status: 'would_do',
          result: `would cancel it and bill a new order at ${this.fee(row)}: ${diagnosis.reason}`,
        };
      case 'rebill':
        return {
          status: 'would_do',
          result: `would bill a new order at ${this.fee(row)}: ${diagnosis.reason}`,
        };
    }
  }

  private async diagnose(tenantId: number, row: TournamentFeeOrderRow): Promise<Diagnosis> {
    const plays = row.commitment === 'committed' && row.fee_product_id !== null;
    if (!isOrderOwed(row.order_status)) {
      if (row.order_status === 'cancelled' && plays)
        return { action: 'rebill', reason: 'the order was cancelled and not replaced' };
      return { action: 'none', note: `${row.order_status}; never touched here` };
    }
    if (!plays)
      return {
        action: 'skip',
        reason:
          'the player no longer plays (declined, or the team left the tournament): checkout-links cancels this order',
      };
    if (row.order_link_stripe_id && !row.order_link_recorded)
      return {
        action: 'skip',
        reason: `its link ${row.order_link_stripe_id} is not one Courtside recorded: run backfill:payment-links first`,
      };
    const order: OrderToPay = {
      id: row.order_id,
      tenantId,
      amountCents: row.amount_cents,
      currency: row.currency,
    };
    const feeProblem = this.feeProblem(row);
    if (feeProblem) return { action: 'replace', reason: feeProblem };

    if (row.link_stripe_id) {
      const problem = linkProblem(order, await this.stripe.findPaymentLink(row.link_stripe_id));
      return problem
        ? { action: 'replace', reason: problem }
        : { action: 'none', note: 'its link takes the payment' };
    }
    if (!row.session_id) return { action: 'replace', reason: 'it has no pay link' };
    const session = await this.stripe.findCheckoutSession(row.session_id);
    if (!session)
      return { action: 'replace', reason: 'its Checkout Session is not found at Stripe' };
    switch (session.status) {
      case 'expired':
        return { action: 'replace', reason: 'its Checkout Session expired' };
      case 'complete':
        if (session.payment_status === 'paid')
          return {
            action: 'skip',
            reason: 'its Checkout Session is paid: run reconcile to record the payment first',
          };
        if (row.order_status === 'failed')
          return { action: 'replace', reason: 'its bank debit failed' };
        return { action: 'skip', reason: 'its Checkout Session awaits a bank debit' };
      case 'open':
      case null:
        break;
    }
    const problem = openSessionProblem(order, session);
    return problem
      ? { action: 'replace', reason: problem }
      : { action: 'none', note: 'its open Checkout Session takes the payment' };
  }

  /** The order must bill the team's fee product at its current price (a corrected fee). */
  private feeProblem(row: TournamentFeeOrderRow): string | undefined {
    if (row.product_id !== row.fee_product_id)
      return `the order is for product ${row.product_id}; the team's fee is now product ${row.fee_product_id}`;
    if (row.amount_cents !== row.fee_cents || row.currency !== row.fee_currency)
      return `the order is ${formatMoney(row.amount_cents, row.currency)}; the fee is now ${this.fee(row)}`;
    return undefined;
  }

  private fee(row: TournamentFeeOrderRow): string {
    return row.fee_cents !== null && row.fee_currency !== null
      ? formatMoney(row.fee_cents, row.fee_currency)
      : 'the fee';
  }

  /** A session still open could take a payment for the cancelled order: it is closed first. */
  private async expireOpenSession(tenantId: number, row: TournamentFeeOrderRow): Promise<void> {
    if (!row.session_id) return;
    const session = await this.stripe.findCheckoutSession(row.session_id);
    if (
      session?.status === 'open' &&
      metadataOwner(session.metadata, { id: row.order_id, tenantId }) === 'this_order'
    )
      await this.stripe.expireCheckoutSession(session.id);
  }
}
