import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { ClubContext } from '../../club/auth/club-context';
import { isOrderOwed } from '../../orders/order-status';
import { OrderResponse } from '../../orders/dtos/order.dto';
import { OrderPaymentsService } from '../../orders/services/order-payments.service';
import { orderRecords, OrdersService } from '../../orders/services/orders.service';
import { productRecords } from '../../club/services/products.service';
import { playerRecords } from '../../club/services/players.service';
import { DomainException } from '../../common/errors/domain.exception';
import { Page, toPage } from '../../common/http/page';
import { appConfig, type AppConfig } from '../../config';
import { StripeService } from '../../stripe/stripe.service';
import {
  CreatePaymentLinkDto,
  ListPaymentLinksQuery,
  PaymentLinkResponse,
} from '../dtos/payment-link.dto';
import { PaymentLinksRepository } from '../repositories/payment-links.repository';
import { payLinkParams } from '../pay-link-params';
import { SharedRequests } from '../shared-requests';
import { metadataOwner, openSessionProblem } from '../stripe-pay-checks';
import { idempotencyKeys } from '../../stripe/idempotency-keys';
import { type Adoption, LegacyLinksService } from './legacy-links.service';
import { LinkRetirementService } from './link-retirement.service';
import { PriceTiersService } from './price-tiers.service';

/** Where a family's click goes: a page that takes the payment, or why there is none to take. */
export type PayPage =
  { kind: 'pay'; url: string; minted: boolean } | { kind: 'processing' } | { kind: 'would_mint' };

/** What minting answered: the link, and whether this call made it (201) or found it (200). */
export interface MintedLink {
  link: PaymentLinkResponse;
  created: boolean;
}

/**
 * Persistent Stripe Payment Links, one active per order (two owed months of dues each have
 * theirs). Each link is minted
 * for an order, at the order's amount, with the order's ids in its metadata and in its
 * PaymentIntent's; every Stripe write has an idempotency key made from our ids.
 */
@Injectable()
export class PaymentLinksService {
  private readonly shared = new SharedRequests();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    private readonly stripe: StripeService,
    private readonly audit: AuditService,
    private readonly orders: OrdersService,
    private readonly orderPayments: OrderPaymentsService,
    private readonly links: PaymentLinksRepository,
    private readonly priceTiers: PriceTiersService,
    private readonly legacyLinks: LegacyLinksService,
    private readonly retirement: LinkRetirementService,
  ) {}

  async list(club: ClubContext, query: ListPaymentLinksQuery): Promise<Page<PaymentLinkResponse>> {
    const { rows, limit } = await this.links.page(club.tenantId, query);
    return toPage(rows, limit, PaymentLinkResponse.of);
  }

  async get(club: ClubContext, id: number): Promise<PaymentLinkResponse> {
    return PaymentLinkResponse.of(await this.links.find(club.tenantId, id));
  }

  /** The link of the player's oldest unpaid order of the product (made if none), minted if it has none. */
  async mintForItem(club: ClubContext, dto: CreatePaymentLinkDto): Promise<MintedLink> {
    const orderId = await this.db.transaction(async (manager): Promise<number> => {
      await this.orders.lockItem(manager, club.tenantId, dto.player_id, dto.product_id);
      const player = await playerRecords.find(manager, club.tenantId, dto.player_id);
      await productRecords.find(manager, club.tenantId, dto.product_id);
      const order =
        (await this.orders.oldestOwed(manager, club.tenantId, player.id, dto.product_id)) ??
        (await this.orders.create(
          club,
          { player_id: player.id, product_id: dto.product_id, amount_cents: dto.amount_cents },
          manager,
        ));
      return order.id;
    });
    return this.mintForOrder(club, orderId);
  }

  /**
   * The order's active link, or a new one. `created` is true only for the call whose link was
   * recorded: submits of one order at once get one link, and all but one say it already existed.
   */
  async mintForOrder(club: ClubContext, orderId: number): Promise<MintedLink> {
    const found = await this.links.orderForLink(club.tenantId, orderId);
    if (!found) throw DomainException.notFound('Order', orderId);
    const { order, activeLinkId } = found;
    if (!isOrderOwed(order.status))
      throw new DomainException(
        'invalid_state',
        `Order ${order.id} is ${order.status}; only an unpaid order gets a pay link`,
      );
    if (activeLinkId !== null) return { link: await this.get(club, activeLinkId), created: false };
    const { product } = found;
    const stripePriceId =
      found.stripePriceId ?? (await this.priceTiers.stripePriceFor(product, order));
    // Counts retired links only: a concurrent mint whose active link has just been recorded
    // must reuse the same key (and so the same Stripe link), not make a second one.
    const idempotencyKey = idempotencyKeys.payLink(club.tenantId, order.id, 1 + found.retiredLinks);
    // Shared only by mints that read the same amount: one that read another sends Stripe other
    // parameters under the key, and Stripe refuses that rather than sell the wrong amount.
    const stripeLink = await this.shared.share(
      `${idempotencyKey}:${order.currency}:${order.amountCents}`,
      () =>
        this.stripe.createPaymentLink(
          payLinkParams(order, product, stripePriceId, this.app.publicBaseUrl),
          idempotencyKey,
        ),
    );

    const recorded = await this.db.transaction(async (manager) => {
      const locked = await orderRecords.find(manager, club.tenantId, order.id, { lock: true });
      if (!isOrderOwed(locked.status)) return { outcome: 'not_owed' as const };
      const values = {
        tenantId: club.tenantId,
        playerId: order.playerId,
        productId: order.productId,
        orderId: order.id,
        stripePaymentLinkId: stripeLink.id,
        stripePriceId,
        url: stripeLink.url,
        amountCents: order.amountCents,
        currency: order.currency,
        status: 'active' as const,
        paidAt: null,
        deactivatedAt: null,
      };
      if (locked.amountCents !== order.amountCents || locked.currency !== order.currency) {
        // The amount changed while this link was made: it sells the old one (money rule 2).
        await this.retirement.retireUnused(manager, values);
        return { outcome: 'amount_changed' as const };
      }
      const link = await this.links.insertIfAbsent(manager, values);
      if (link) {
        await this.orderPayments.attachLink(manager, locked, {
          stripePaymentLinkId: stripeLink.id,
          url: stripeLink.url,
        });
        await this.audit.record(manager, club, 'payment_link.minted', `order:${order.id}`, {
          stripe_payment_link_id: stripeLink.id,
        });
        return { outcome: 'created' as const, link };
      }
      // A concurrent mint of this order recorded its link first: the same one (same idempotency
      // key), or one made under another key version, and then this one is never used.
      const same = await this.links.byStripeId(manager, club.tenantId, stripeLink.id);
      if (same?.status === 'active' && same.orderId === order.id)
        return { outcome: 'existed' as const, link: same };
      if (!same) await this.retirement.retireUnused(manager, values);
      const winner = await this.links.activeForOrder(club.tenantId, order.id, manager);
      return winner
        ? { outcome: 'existed' as const, link: winner }
        : { outcome: 'superseded' as const };
    });
    switch (recorded.outcome) {
      case 'created':
      case 'existed':
        return {
          link: PaymentLinkResponse.of(recorded.link),
          created: recorded.outcome === 'created',
        };
      case 'superseded':
        throw new DomainException(
          'conflict',
          `Order ${order.id}'s link changed while this one was being made; ask for its link again`,
        );
      case 'amount_changed':
        throw new DomainException(
          'conflict',
          `Order ${order.id}'s amount changed while its link was being made; ask for its link again`,
        );
      case 'not_owed':
        // Paid while this link was being made: it must never take a second payment.
        await this.stripe.deactivatePaymentLink(stripeLink.id);
        throw new DomainException('invalid_state', `Order ${order.id} was paid meanwhile`);
    }
  }

  /**
   * Where the family can pay this owed order now, never a dead page and never a second payment:
   * its active link; a link the previous system made, if it can take the payment (else it is
   * replaced); the Checkout Session it carries while Stripe says the session is open and would
   * credit this order (sessions expire after 24 hours); else a new link. A session already paid
   * for this order means its payment is on its way: nothing new to pay. Without `commit`,
   * `would_mint` where a link would be made.
   */
  async payPageFor(club: ClubContext, orderId: number, commit: boolean): Promise<PayPage> {
    const order = await orderRecords.find(this.db.manager, club.tenantId, orderId);
    const active = await this.links.activeForOrder(club.tenantId, orderId);
    if (active) return { kind: 'pay', url: active.url, minted: false };
    if (order.stripePaymentLinkId) {
      const adopted = await this.adoptUnrecordedLink(club, orderId, commit);
      if (adopted.url)
        return { kind: 'pay', url: adopted.url, minted: adopted.action === 'replaced' };
      if (adopted.action === 'replaced') return { kind: 'would_mint' };
    } else if (order.stripeCheckoutSessionId) {
      const session = await this.stripe.findCheckoutSession(order.stripeCheckoutSessionId);
      const owner = session && metadataOwner(session.metadata, order);
      if (session && !openSessionProblem(order, session)) {
        if (session.status === 'complete') return { kind: 'processing' };
        if (session.status === 'open' && session.url)
          return { kind: 'pay', url: session.url, minted: false };
      }
      // Open, but its payment would credit nobody or be the wrong amount: closed before the
      // family gets a link, so an old email cannot take that payment. Another order's is left.
      if (commit && session?.status === 'open' && (owner === 'this_order' || owner === 'nobody'))
        await this.stripe.expireCheckoutSession(session.id);
    }
    if (!commit) return { kind: 'would_mint' };
    const { link, created } = await this.mintForOrder(club, orderId);
    return { kind: 'pay', url: link.url, minted: created };
  }

  /**
   * An owed order carrying a Stripe link that `payment_links` does not know: copied in if it
   * can take the order's payment, else closed and replaced by a fresh link (see LegacyLinksService).
   */
  async adoptUnrecordedLink(
    club: ClubContext,
    orderId: number,
    commit: boolean,
  ): Promise<Adoption> {
    const adopted = await this.legacyLinks.adopt(club, orderId, commit);
    if (!commit || adopted.action !== 'replaced') return adopted;
    const minted = await this.mintForOrder(club, orderId);
    return { ...adopted, url: minted.link.url };
  }

  async deactivate(club: ClubContext, id: number): Promise<PaymentLinkResponse> {
    const link = await this.links.find(club.tenantId, id);
    if (link.status !== 'active')
      throw new DomainException('invalid_state', `Payment link ${id} is already ${link.status}`);
    await this.stripe.deactivatePaymentLink(link.stripePaymentLinkId);
    await this.db.transaction(async (manager) => {
      await this.retirement.retire(manager, club.tenantId, link.stripePaymentLinkId, 'deactivated');
      await this.audit.record(manager, club, 'payment_link.deactivated', `payment_link:${id}`);
    });
    return this.get(club, id);
  }

  /**
   * Cancels an unpaid order. Its link stops taking money first: a payment that lands in
   * between pays the order, and the cancel then refuses (409) instead of hiding a payment.
   */
  async cancelOrder(club: ClubContext, orderId: number): Promise<OrderResponse> {
    await this.deactivateForOrder(club, orderId);
    return this.orders.cancel(club, orderId);
  }

  /** Retires the order's active link, if it has one (the order is being replaced). */
  async deactivateForOrder(club: ClubContext, orderId: number): Promise<void> {
    const active = await this.links.activeForOrder(club.tenantId, orderId);
    if (active) await this.deactivate(club, active.id);
  }
}
