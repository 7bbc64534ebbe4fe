import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ClubContext } from '../../club/auth/club-context';
import { DomainException } from '../../common/errors/domain.exception';
import { formatMoney } from '../../common/money/format-money';
import { PaymentLinksService } from '../../payment-links/services/payment-links.service';
import {
  BackfillCandidate,
  BackfillCandidatesRepository,
} from '../repositories/backfill-candidates.repository';
import { FirstMonthRepository } from '../repositories/first-month.repository';
import { FirstPaymentService } from './first-payment.service';
import type { OperatorOutcome } from '../../common/operator-outcome';

/** With what was made: the order (a first month may create one) and its pay URL. */
export type BackfillStep = OperatorOutcome & { orderId?: number; url?: string };

/**
 * Every family gets a Pay Now link for what it owes: each signed player's first month (the same
 * decision as their first-payment link) and each owed order with no active link. Each step is
 * idempotent (idempotency keys from our ids, orders found again by their state), so an
 * interrupted run is simply run again.
 */
@Injectable()
export class PaymentLinksBackfillService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly firstPayment: FirstPaymentService,
    private readonly links: PaymentLinksService,
    private readonly firstMonths: FirstMonthRepository,
    private readonly backfillCandidates: BackfillCandidatesRepository,
  ) {}

  async candidates(tenantId: number): Promise<BackfillCandidate[]> {
    const months: BackfillCandidate[] = (
      await this.firstMonths.families(this.db.manager, tenantId)
    ).flatMap((family) =>
      family.players.map((player) => ({
        kind: 'first_month' as const,
        player_id: player.player_id,
        player_name: player.player_name,
        product_id: player.product_id,
        item: player.item,
        order_id: null,
        amount_cents: player.fee_cents,
        currency: player.currency,
        unrecorded_link: false,
      })),
    );
    const firstMonthOf = new Set(months.map((c) => `${c.player_id}:${c.product_id}`));
    const orders = await this.backfillCandidates.unlinkedOrders(tenantId);
    // A first month's owed order is the first-month decision's to reuse or replace.
    return [
      ...months,
      ...orders.filter((o) => !firstMonthOf.has(`${o.player_id}:${o.product_id}`)),
    ];
  }

  async backfill(
    club: ClubContext,
    candidate: BackfillCandidate,
    commit: boolean,
  ): Promise<BackfillStep> {
    const amount = formatMoney(candidate.amount_cents, candidate.currency);
    if (candidate.kind === 'first_month') {
      const decision = await this.firstPayment.firstMonthForPlayer(
        club,
        candidate.player_id,
        commit,
      );
      switch (decision.kind) {
        case 'would_mint':
          return {
            status: 'would_do',
            result: `mint the first-month link at ${formatMoney(decision.amountCents, candidate.currency)}${decision.replacesOrderId ? `, replacing order ${decision.replacesOrderId} made at an old fee` : ''}`,
          };
        case 'pay':
          return decision.minted
            ? {
                status: 'done',
                result: `minted the first-month link at ${amount}${decision.replacedOrderId ? `, replacing order ${decision.replacedOrderId} made at an old fee` : ''}`,
                orderId: decision.orderId,
                url: decision.url,
              }
            : { status: 'unchanged', result: 'has its first-month link' };
        default:
          return {
            status: 'skipped',
            result: `first month is ${decision.kind.replace(/_/g, ' ')}`,
          };
      }
    }
    const orderId = candidate.order_id!;
    if (candidate.unrecorded_link) {
      const adopted = await this.links.adoptUnrecordedLink(club, orderId, commit);
      if (adopted.action === 'unchanged') return { status: 'unchanged', result: 'link recorded' };
      const what =
        adopted.action === 'copied'
          ? 'copy its Stripe link into payment_links'
          : `replace its Stripe link (${adopted.reason})`;
      return commit
        ? { status: 'done', result: `${adopted.action}: ${what}`, orderId, url: adopted.url }
        : { status: 'would_do', result: what };
    }
    if (!commit) return { status: 'would_do', result: `mint a link for ${amount}` };
    const minted = await this.links.mintForOrder(club, orderId).catch((error: unknown) => {
      // Paid (autopay's webhook, a family) or cancelled since the plan was read: nothing owed.
      if (error instanceof DomainException && error.code === 'invalid_state') return undefined;
      throw error;
    });
    if (!minted) return { status: 'skipped', result: 'no longer owed: no link needed' };
    return minted.created
      ? { status: 'done', result: `minted a link for ${amount}`, orderId, url: minted.link.url }
      : { status: 'unchanged', result: 'has its link' };
  }
}
