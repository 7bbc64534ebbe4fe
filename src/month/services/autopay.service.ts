import { Injectable } from '@nestjs/common';
import { ClubContext } from '../../club/auth/club-context';
import { ChargeAttemptsRepository } from '../../billing/repositories/charge-attempts.repository';
import { DomainException } from '../../common/errors/domain.exception';
import { formatMoney } from '../../common/money/format-money';
import type { OperatorOutcome } from '../../common/operator-outcome';
import { PaymentLinksService } from '../../payment-links/services/payment-links.service';
import { idempotencyKeys } from '../../stripe/idempotency-keys';
import { StripeService } from '../../stripe/stripe.service';
import { SavedCardsService } from '../../billing/services/saved-cards.service';
import type { RunOrder } from '../repositories/month-run.repository';

const CARD_GONE = new Set(['expired_card', 'payment_method_unexpected_state', 'resource_missing']);

/** What settling one order of a month run came to; `failedFamily` owes a "card refused" mail. */
export type Settled = OperatorOutcome & { chargeFailed?: boolean };

/**
 * One order of the month: charged on the family's saved card (autopay on, a card kept), else
 * given its Pay Now link. The order is paid only by the webhook; here the try and Stripe's answer
 * are recorded. Every step is idempotent per order: the try number is the key's version, so a
 * re-run, a second instance or a crash in the middle reuses the same PaymentIntent.
 */
@Injectable()
export class AutopayService {
  constructor(
    private readonly stripe: StripeService,
    private readonly attempts: ChargeAttemptsRepository,
    private readonly links: PaymentLinksService,
    private readonly savedCards: SavedCardsService,
  ) {}

  async settle(club: ClubContext, order: RunOrder, commit: boolean): Promise<Settled> {
    const amount = formatMoney(order.amount_cents, order.currency);
    if (!order.owed) return { status: 'unchanged', result: `${order.status}` };
    const card = order.card_last4 ? `${order.card_brand ?? 'card'} •${order.card_last4}` : null;
    switch (order.last_attempt_status) {
      case 'succeeded':
        return {
          status: 'unchanged',
          result: `charged ${card ?? 'the card'}; paid when Stripe says so`,
        };
      case 'processing':
        // A try whose answer was never recorded (a crash, a timeout): the same key again.
        return this.charge(club, order, order.last_attempt!, commit);
      case 'failed':
      case 'requires_action': {
        // Its mail is keyed by run and family: asking again after an interruption sends it once.
        const linked = await this.payNow(club, order, commit, 'card refused');
        return { ...linked, chargeFailed: commit };
      }
      case null:
        break;
    }
    if (order.autopay_allowed && order.payment_method_id && order.stripe_customer_id)
      return this.charge(club, order, 1, commit);
    if (order.autopay_allowed && order.card_removed) {
      if (!commit)
        return {
          status: 'would_do',
          result: `saved card removed: mint a Pay Now link for ${amount} and mail the family`,
        };
      await this.attempts.cardRemoved(club.tenantId, {
        orderId: order.order_id,
        parentId: order.parent_id,
        attempt: 1,
        key: idempotencyKeys.autopay(club.tenantId, order.order_id, 1),
      });
      // Told once: the months after this one are plain Pay Now links until a new card is kept.
      await this.savedCards.removalTold(club.tenantId, order.parent_id);
      const linked = await this.payNow(club, order, commit, 'saved card removed');
      return { ...linked, chargeFailed: true };
    }
    return this.payNow(club, order, commit);
  }

  /** An admin's retry of the saved card for one owed order (POST /admin/orders/:id/charge). */
  async retry(club: ClubContext, order: RunOrder): Promise<Settled> {
    // A double click finds the first click's charge: the same answer, nothing charged twice.
    if (order.last_attempt_status === 'succeeded')
      return { status: 'unchanged', result: 'The card was charged; the payment is on its way' };
    if (!order.owed)
      throw new DomainException('invalid_state', `Order ${order.order_id} is ${order.status}`);
    if (!order.payment_method_id || !order.stripe_customer_id)
      throw new DomainException('invalid_state', 'The family has no saved card');
    const next =
      order.last_attempt_status === 'processing'
        ? order.last_attempt!
        : (order.last_attempt ?? 0) + 1;
    return this.charge(club, order, next, true);
  }

  private async charge(
    club: ClubContext,
    order: RunOrder,
    attempt: number,
    commit: boolean,
  ): Promise<Settled> {
    const amount = formatMoney(order.amount_cents, order.currency);
    const card = `${order.card_brand ?? 'card'} •${order.card_last4 ?? '????'}`;
    if (!commit) return { status: 'would_do', result: `charge ${amount} to ${card}` };
    const key = idempotencyKeys.autopay(club.tenantId, order.order_id, attempt);
    const row = await this.attempts.begin(club.tenantId, {
      orderId: order.order_id,
      parentId: order.parent_id,
      attempt,
      key,
      paymentMethod: order.payment_method_id,
    });
    const answer = await this.stripe.chargeSavedCard(
      {
        amountCents: order.amount_cents,
        currency: order.currency,
        customer: order.stripe_customer_id!,
        paymentMethod: row.stripe_payment_method_id ?? order.payment_method_id!,
        metadata: {
          tenant_id: String(club.tenantId),
          order_id: String(order.order_id),
          player_id: String(order.player_id),
          product_id: String(order.product_id),
          billing_period: order.billing_period,
          autopay_attempt: String(attempt),
        },
      },
      key,
    );
    await this.attempts.answer(club.tenantId, row.id, answer);
    // An expired or removed card will never pay: the family pays by link until a new one is kept.
    if (answer.outcome === 'failed' && CARD_GONE.has(answer.declineCode ?? answer.code))
      await this.savedCards.forgetCard(order.payment_method_id!);
    if (answer.outcome === 'succeeded' || answer.outcome === 'processing')
      return { status: 'done', result: `charged ${amount} to ${card} (${answer.outcome})` };
    // Refused, or the bank wants the holder to confirm: the family pays by link.
    const why =
      answer.outcome === 'failed' ? (answer.declineCode ?? answer.code) : 'requires_action';
    const linked = await this.payNow(club, order, true, `${card} refused: ${why}`);
    return { ...linked, chargeFailed: true };
  }

  private async payNow(
    club: ClubContext,
    order: RunOrder,
    commit: boolean,
    why?: string,
  ): Promise<Settled> {
    const amount = formatMoney(order.amount_cents, order.currency);
    const prefix = why ? `${why}; ` : '';
    if (order.active_link_url)
      return { status: 'unchanged', result: `${prefix}has its Pay Now link` };
    if (!commit)
      return { status: 'would_do', result: `${prefix}mint a Pay Now link for ${amount}` };
    const minted = await this.links.mintForOrder(club, order.order_id);
    return {
      status: minted.created ? 'done' : 'unchanged',
      result: `${prefix}Pay Now link for ${amount}`,
      columns: { url: minted.link.url },
    };
  }
}
