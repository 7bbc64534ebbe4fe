import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ClubContext } from '../../club/auth/club-context';
import { OrdersService } from '../../orders/services/orders.service';
import { isOrderOwed, isOrderPaid, PROCESSING } from '../../orders/order-status';
import { DomainException } from '../../common/errors/domain.exception';
import { firstDayOf, localNow } from '../../common/month/billing-month';
import { appConfig, type AppConfig } from '../../config';
import { PaymentLinksService } from '../../payment-links/services/payment-links.service';
import { FirstMonthRepository, PlayerFirstMonth } from '../repositories/first-month.repository';

/** Where a first-payment click ends: Stripe's pay page, or one of our explanation pages. */
export type FirstPaymentOutcome =
  | { kind: 'pay'; url: string; minted?: boolean; orderId?: number; replacedOrderId?: number }
  | { kind: 'unknown' | 'not_signed' | 'not_set_up' | 'paid' | 'processing'; clubName?: string };

/** A dry run's answer adds what a click would mint (and the stale order it would replace). */
export type FirstMonthDecision =
  FirstPaymentOutcome | { kind: 'would_mint'; amountCents: number; replacesOrderId?: number };

/** The month's order as one locked decision finds it (see monthOrder). */
type MonthOrder =
  | Exclude<FirstMonthDecision, { kind: 'pay' }>
  | { kind: 'owed'; orderId: number }
  | { kind: 'stale'; orderId: number };

const TOKEN = /^[0-9a-f]{64}$/;

/** A click that lost a race decides again on what the winner left; a few rounds settle it. */
const DECISION_ROUNDS = 4;

/**
 * The monthly first payment: a player with a signed contract owes the flat monthly fee (their
 * override, else the team's; no proration). The public link re-checks everything at each click.
 */
@Injectable()
export class FirstPaymentService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    private readonly orders: OrdersService,
    private readonly links: PaymentLinksService,
    private readonly firstMonths: FirstMonthRepository,
  ) {}

  /** The player's public first-payment URL (their unguessable token). */
  async linkFor(club: ClubContext, playerId: number): Promise<{ url: string }> {
    const month = await this.firstMonths.forPlayer(club.tenantId, playerId);
    if (!month) throw DomainException.notFound('Player', playerId);
    return { url: `${this.app.publicBaseUrl}/checkout/first-payment?token=${month.token}` };
  }

  async click(token: string | undefined): Promise<FirstPaymentOutcome> {
    const facts = token && TOKEN.test(token) ? await this.firstMonths.forToken(token) : undefined;
    if (!facts) return { kind: 'unknown' };
    const outcome = await this.firstMonth(facts, `first-payment:player:${facts.player_id}`, true);
    return outcome.kind === 'would_mint' ? { kind: 'unknown' } : outcome;
  }

  /**
   * The same decision for an operator (`backfill:payment-links`): the player's first-month link,
   * reused or minted; without `commit`, what the click would do, changing nothing.
   */
  async firstMonthForPlayer(
    club: ClubContext,
    playerId: number,
    commit: boolean,
  ): Promise<FirstMonthDecision> {
    const facts = await this.firstMonths.forPlayer(club.tenantId, playerId);
    if (!facts) throw DomainException.notFound('Player', playerId);
    return this.firstMonth(facts, club.actor, commit);
  }

  private async firstMonth(
    facts: PlayerFirstMonth,
    actor: string,
    commit: boolean,
  ): Promise<FirstMonthDecision> {
    const clubName = facts.club_name;
    if (facts.contract_status !== 'signed') return { kind: 'not_signed', clubName };
    if (facts.fee_cents === null || facts.product_id === null || facts.fee_cents < 1)
      return { kind: 'not_set_up', clubName };
    const month = { ...facts, fee_cents: facts.fee_cents, product_id: facts.product_id };
    const club: ClubContext = { tenantId: facts.tenant_id, actor };

    let replacedOrderId: number | undefined;
    for (let attempt = 1; ; attempt++) {
      try {
        const step = await this.monthOrder(club, month, commit);
        if (step.kind === 'stale') {
          if (!commit)
            return {
              kind: 'would_mint',
              amountCents: month.fee_cents,
              replacesOrderId: step.orderId,
            };
          // The fee changed since that order was made: it and its link are retired first.
          await this.links.cancelOrder(club, step.orderId);
          replacedOrderId = step.orderId;
          continue;
        }
        if (step.kind !== 'owed') return step;
        const page = await this.links.payPageFor(club, step.orderId, commit);
        if (page.kind === 'processing') return { kind: 'processing', clubName: month.club_name };
        if (page.kind === 'would_mint') return { kind: 'would_mint', amountCents: month.fee_cents };
        return { ...page, orderId: step.orderId, replacedOrderId };
      } catch (error) {
        // Another click cancelled that order first, or the family paid meanwhile.
        if (
          error instanceof DomainException &&
          error.code === 'invalid_state' &&
          attempt < DECISION_ROUNDS
        )
          continue;
        throw error;
      }
    }
  }

  /**
   * The month's owed order, made if there is none (with `commit`), under the item's lock: two
   * clicks at once find or make the same order. Nothing here waits on Stripe.
   */
  private monthOrder(
    club: ClubContext,
    month: PlayerFirstMonth & { fee_cents: number; product_id: number },
    commit: boolean,
  ): Promise<MonthOrder> {
    const clubName = month.club_name;
    return this.db.transaction(async (manager): Promise<MonthOrder> => {
      await this.orders.lockItem(manager, club.tenantId, month.player_id, month.product_id);
      const monthly = await this.orders.itemOrders(
        manager,
        club.tenantId,
        month.player_id,
        month.product_id,
      );
      if (monthly.some((order) => isOrderPaid(order.status))) return { kind: 'paid', clubName };
      if (monthly.some((order) => PROCESSING.includes(order.status)))
        return { kind: 'processing', clubName };
      const owed = monthly.find((order) => isOrderOwed(order.status));
      if (owed)
        return owed.amountCents === month.fee_cents
          ? { kind: 'owed', orderId: owed.id }
          : { kind: 'stale', orderId: owed.id };
      if (!commit) return { kind: 'would_mint', amountCents: month.fee_cents };
      const made = await this.orders.create(
        club,
        { player_id: month.player_id, product_id: month.product_id, amount_cents: month.fee_cents },
        manager,
        firstDayOf(localNow(new Date(), month.timezone).month),
      );
      return { kind: 'owed', orderId: made.id };
    });
  }
}
