import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { ClubContext } from '../../club/auth/club-context';
import { preparedQuery } from '../../database/prepared-query';
import { isOrderOwed, OWED } from '../../orders/order-status';
import { OrderResponse } from '../../orders/dtos/order.dto';
import { Order } from '../../orders/entities/order.entity';
import { OrderPaymentsService } from '../../orders/services/order-payments.service';
import { orderRecords, OrdersService } from '../../orders/services/orders.service';
import { productRecords, ProductsService } from '../../club/services/products.service';
import { playerRecords } from '../../club/services/players.service';
import { ClubRecords } from '../../common/club-records';
import { DomainException } from '../../common/errors/domain.exception';
import { Page, toPage } from '../../common/http/page';
import { appConfig, type AppConfig } from '../../config';
import { JobsService } from '../../jobs/jobs.service';
import { CourtsideMetadata, StripeService } from '../../stripe/stripe.service';
import {
  CreatePaymentLinkDto,
  ListPaymentLinksQuery,
  PaymentLinkResponse,
} from '../dtos/payment-link.dto';
import { PaymentLink } from '../entities/payment-link.entity';
import { ProductPrice } from '../entities/product-price.entity';
import { orderForLink, type OrderForLink } from '../order-for-link.query';
import { linkProblem, metadataOwner, openSessionProblem } from '../stripe-pay-checks';
import { idempotencyKeys } from '../../stripe/idempotency-keys';

export const paymentLinkRecords = new ClubRecords(PaymentLink, 'Payment link');

type ProductToSell = NonNullable<OrderForLink['product']>;
type AmountDue = Pick<Order, 'amountCents' | 'currency'>;

const DEACTIVATE_QUEUE = 'payment-link.deactivate';

/** Where a family's click goes: a page that takes the payment, or why there is none to take. */
export type PayPage =
  { kind: 'pay'; url: string; minted: boolean } | { kind: 'processing' } | { kind: 'would_mint' };

/** What minting answered: the link, and whether this call made it (201) or found it (200). */
export interface MintedLink {
  link: PaymentLinkResponse;
  created: boolean;
}

const activeLinkConflict = (orderId: number | undefined) =>
  new DomainException(
    'conflict',
    `The player already has an active link for this product${orderId ? ` (order ${orderId})` : ''}; deactivate it first`,
  );

/**
 * Persistent Stripe Payment Links, one active per player and product. Each link is minted
 * for an order, at the order's amount, with the order's ids in its metadata and in its
 * PaymentIntent's; every Stripe write has an idempotency key made from our ids.
 */
@Injectable()
export class PaymentLinksService implements OnModuleInit {
  private readonly inFlight = new Map<string, Promise<unknown>>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    private readonly stripe: StripeService,
    private readonly jobs: JobsService,
    private readonly audit: AuditService,
    private readonly orders: OrdersService,
    private readonly orderPayments: OrderPaymentsService,
    private readonly products: ProductsService,
  ) {}

  onModuleInit(): void {
    this.jobs.handle<{ tenantId: number; stripePaymentLinkId: string }>(DEACTIVATE_QUEUE, (job) =>
      this.deactivateAtStripe(job.tenantId, job.stripePaymentLinkId),
    );
  }

  async list(club: ClubContext, query: ListPaymentLinksQuery): Promise<Page<PaymentLinkResponse>> {
    const { rows, limit } = await paymentLinkRecords.page(this.db.manager, club.tenantId, query, {
      status: query.status,
      playerId: query.player_id,
      orderId: query.order_id,
    });
    return toPage(rows, limit, PaymentLinkResponse.of);
  }

  async get(club: ClubContext, id: number): Promise<PaymentLinkResponse> {
    return PaymentLinkResponse.of(
      await paymentLinkRecords.find(this.db.manager, club.tenantId, id),
    );
  }

  /** The player's active link for the product, or a new one on the oldest unpaid order (made if none). */
  async mintForItem(club: ClubContext, dto: CreatePaymentLinkDto): Promise<MintedLink> {
    type Found = { active: PaymentLink } | { orderId: number };
    const found = await this.db.transaction(async (manager): Promise<Found> => {
      await this.orders.lockItem(manager, club.tenantId, dto.player_id, dto.product_id);
      const player = await playerRecords.find(manager, club.tenantId, dto.player_id);
      await productRecords.find(manager, club.tenantId, dto.product_id);
      const active = await manager.findOneBy(PaymentLink, {
        tenantId: club.tenantId,
        playerId: player.id,
        productId: dto.product_id,
        status: 'active',
      });
      if (active) return { active };
      const owed = await manager.findOne(Order, {
        where: {
          tenantId: club.tenantId,
          playerId: player.id,
          productId: dto.product_id,
          status: In([...OWED]),
        },
        order: { id: 'ASC' },
      });
      const order =
        owed ??
        (await this.orders.create(
          club,
          { player_id: player.id, product_id: dto.product_id, amount_cents: dto.amount_cents },
          manager,
        ));
      return { orderId: order.id };
    });
    if ('active' in found) return { link: PaymentLinkResponse.of(found.active), created: false };
    return this.mintForOrder(club, found.orderId);
  }

  /**
   * The order's active link, or a new one. `created` is true only for the call whose link was
   * recorded: submits of one order at once get one link, and all but one say it already existed.
   */
  async mintForOrder(club: ClubContext, orderId: number): Promise<MintedLink> {
    const found = await orderForLink(this.db.manager, club.tenantId, orderId);
    if (!found) throw DomainException.notFound('Order', orderId);
    const { order, activeLink } = found;
    if (!isOrderOwed(order.status))
      throw new DomainException(
        'invalid_state',
        `Order ${order.id} is ${order.status}; only an unpaid order gets a pay link`,
      );
    if (activeLink?.orderId === order.id)
      return {
        link: PaymentLinkResponse.of(
          await paymentLinkRecords.find(this.db.manager, club.tenantId, activeLink.id),
        ),
        created: false,
      };
    if (activeLink) throw activeLinkConflict(activeLink.orderId);
    const { product } = found;
    const stripePriceId = found.stripePriceId ?? (await this.priceFor(product, order));
    // Counts retired links only: a concurrent mint whose active link has just been recorded
    // must reuse the same key (and so the same Stripe link), not make a second one.
    const idempotencyKey = idempotencyKeys.payLink(club.tenantId, order.id, 1 + found.retiredLinks);
    const metadata: CourtsideMetadata = {
      tenant_id: String(club.tenantId),
      order_id: String(order.id),
      player_id: String(order.playerId),
      product_id: String(order.productId),
    };
    // Shared only by mints that read the same amount: one that read another sends Stripe other
    // parameters under the key, and Stripe refuses that rather than sell the wrong amount.
    const stripeLink = await this.sharedInFlight(
      `${idempotencyKey}:${order.currency}:${order.amountCents}`,
      () =>
        this.stripe.createPaymentLink(
          {
            line_items: [{ price: stripePriceId, quantity: 1 }],
            metadata: { ...metadata },
            payment_intent_data: {
              metadata: { ...metadata },
              // Monthly dues keep the card for the next months (money rule 3).
              ...(product.category === 'monthly' && { setup_future_usage: 'off_session' as const }),
            },
            restrictions: { completed_sessions: { limit: 1 } },
            after_completion: {
              type: 'redirect',
              redirect: {
                url: `${this.app.publicBaseUrl}/checkout/thanks?session_id={CHECKOUT_SESSION_ID}`,
              },
            },
            inactive_message:
              'This item is paid or no longer due. Questions? Reply to the club’s billing email.',
          },
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
        await this.retireUnused(manager, values);
        return { outcome: 'amount_changed' as const };
      }
      const inserted = await manager
        .createQueryBuilder()
        .insert()
        .into(PaymentLink)
        .values(values)
        .orIgnore()
        .execute();
      if ((inserted.raw as unknown[]).length > 0) {
        await this.orderPayments.attachLink(manager, locked, {
          stripePaymentLinkId: stripeLink.id,
          url: stripeLink.url,
        });
        await this.audit.record(manager, club, 'payment_link.minted', `order:${order.id}`, {
          stripe_payment_link_id: stripeLink.id,
        });
        const link = manager.create(PaymentLink, { ...values, ...inserted.generatedMaps[0] });
        return { outcome: 'created' as const, link };
      }
      // A concurrent mint of this order recorded the same link first (same idempotency key)...
      const same = await manager.findOneBy(PaymentLink, {
        tenantId: club.tenantId,
        stripePaymentLinkId: stripeLink.id,
      });
      if (same?.status === 'active' && same.orderId === order.id)
        return { outcome: 'existed' as const, link: same };
      // ...or another order of the player's item took their one active link meanwhile.
      if (!same) await this.retireUnused(manager, values);
      const winner = await manager.findOneBy(PaymentLink, {
        tenantId: club.tenantId,
        playerId: order.playerId,
        productId: order.productId,
        status: 'active',
      });
      return { outcome: 'superseded' as const, activeOrderId: winner?.orderId };
    });
    switch (recorded.outcome) {
      case 'created':
      case 'existed':
        return {
          link: PaymentLinkResponse.of(recorded.link),
          created: recorded.outcome === 'created',
        };
      case 'superseded':
        throw activeLinkConflict(recorded.activeOrderId);
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
   * A link made for an order that will not use it: kept as retired, so that the order's next link
   * gets a new idempotency key, and closed at Stripe by a job.
   */
  private async retireUnused(
    manager: EntityManager,
    values: Pick<PaymentLink, 'tenantId' | 'stripePaymentLinkId'> & Partial<PaymentLink>,
  ): Promise<void> {
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(PaymentLink)
      .values({ ...values, status: 'deactivated', deactivatedAt: null })
      .orIgnore()
      .execute();
    if ((inserted.raw as unknown[]).length > 0)
      await this.jobs.send(
        DEACTIVATE_QUEUE,
        { tenantId: values.tenantId, stripePaymentLinkId: values.stripePaymentLinkId },
        { manager },
      );
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
    const active = await this.db.manager.findOneBy(PaymentLink, {
      tenantId: club.tenantId,
      orderId,
      status: 'active',
    });
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
   * An owed order carrying a Stripe link that `payment_links` does not know (made by the club's
   * previous system or a script). A link that is active, sells exactly the order's amount and
   * names the order in its metadata is copied into `payment_links`; any other is deactivated at
   * Stripe (a payment through it would credit nobody) and replaced by a fresh link.
   */
  async adoptUnrecordedLink(
    club: ClubContext,
    orderId: number,
    commit: boolean,
  ): Promise<{ action: 'copied' | 'replaced' | 'unchanged'; reason?: string; url?: string }> {
    const order = await orderRecords.find(this.db.manager, club.tenantId, orderId);
    const stripeLinkId = order.stripePaymentLinkId;
    if (!stripeLinkId || !isOrderOwed(order.status)) return { action: 'unchanged' };
    if (await this.db.manager.existsBy(PaymentLink, { stripePaymentLinkId: stripeLinkId }))
      return { action: 'unchanged' };
    const found = await this.stripe.findPaymentLink(stripeLinkId);
    const reason = linkProblem(order, found);
    if (!commit)
      return {
        action: reason ? 'replaced' : 'copied',
        reason,
        url: reason ? undefined : found?.link.url,
      };
    if (reason || !found) {
      if (found?.link.active) await this.stripe.deactivatePaymentLink(stripeLinkId);
      await this.orderPayments.detachLink(this.db.manager, club.tenantId, stripeLinkId);
      const minted = await this.mintForOrder(club, order.id);
      return { action: 'replaced', reason, url: minted.link.url };
    }
    await this.db.transaction(async (manager) => {
      const locked = await orderRecords.find(manager, club.tenantId, order.id, { lock: true });
      if (!isOrderOwed(locked.status) || locked.stripePaymentLinkId !== stripeLinkId) return;
      await manager
        .createQueryBuilder()
        .insert()
        .into(PaymentLink)
        .values({
          tenantId: club.tenantId,
          playerId: order.playerId,
          productId: order.productId,
          orderId: order.id,
          stripePaymentLinkId: stripeLinkId,
          stripePriceId: found.lineItems[0].price!.id,
          url: found.link.url,
          amountCents: order.amountCents,
          currency: order.currency,
          status: 'active',
        })
        .orIgnore()
        .execute();
      await this.audit.record(manager, club, 'payment_link.copied', `order:${order.id}`, {
        stripe_payment_link_id: stripeLinkId,
      });
    });
    return { action: 'copied', url: found.link.url };
  }

  async deactivate(club: ClubContext, id: number): Promise<PaymentLinkResponse> {
    const link = await paymentLinkRecords.find(this.db.manager, club.tenantId, id);
    if (link.status !== 'active')
      throw new DomainException('invalid_state', `Payment link ${id} is already ${link.status}`);
    await this.stripe.deactivatePaymentLink(link.stripePaymentLinkId);
    await this.db.transaction(async (manager) => {
      await this.retire(manager, club.tenantId, link.stripePaymentLinkId, 'deactivated');
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
    const active = await this.db.manager.findOneBy(PaymentLink, {
      tenantId: club.tenantId,
      orderId,
      status: 'active',
    });
    if (active) await this.deactivate(club, active.id);
  }

  /**
   * Inside a webhook's transaction: the link took its payment (or its bank debit failed) and
   * must take no more. The Stripe call is a job, so the webhook answers at once.
   */
  async retireAfterPayment(
    manager: EntityManager,
    tenantId: number,
    stripePaymentLinkId: string,
    outcome: 'paid' | 'deactivated',
  ): Promise<void> {
    await this.retire(manager, tenantId, stripePaymentLinkId, outcome);
    await this.jobs.send(DEACTIVATE_QUEUE, { tenantId, stripePaymentLinkId }, { manager });
  }

  private async retire(
    manager: EntityManager,
    tenantId: number,
    stripePaymentLinkId: string,
    status: 'paid' | 'deactivated',
  ): Promise<void> {
    // A prepared statement: this runs in every payment's webhook transaction.
    await preparedQuery(
      manager,
      `UPDATE payment_links SET status = $3, ${status === 'paid' ? 'paid_at' : 'deactivated_at'} = now()
       WHERE tenant_id = $1 AND stripe_payment_link_id = $2 AND status = 'active'`,
      [tenantId, stripePaymentLinkId, status],
    );
    if (status === 'deactivated')
      await this.orderPayments.detachLink(manager, tenantId, stripePaymentLinkId);
  }

  private async deactivateAtStripe(tenantId: number, stripePaymentLinkId: string): Promise<void> {
    await this.stripe.deactivatePaymentLink(stripePaymentLinkId);
    await this.db.manager.update(
      PaymentLink,
      { tenantId, stripePaymentLinkId, deactivatedAt: IsNull() },
      { deactivatedAt: new Date() },
    );
  }

  /** The Stripe Price for this product at the order's amount: one per tier, made once. */
  private priceFor(product: ProductToSell, order: AmountDue): Promise<string> {
    return this.sharedInFlight(
      idempotencyKeys.price(product.tenantId, product.id, order.currency, order.amountCents),
      () => this.findOrCreatePrice(product, order),
    );
  }

  /**
   * Mints running side by side (a backfill, a double submit) share the first request for a
   * product, tier or link instead of repeating it under the same idempotency key; correctness
   * never depends on this, only the number of Stripe calls.
   */
  private sharedInFlight<T>(key: string, work: () => Promise<T>): Promise<T> {
    let pending = this.inFlight.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = work().finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    return pending;
  }

  private async findOrCreatePrice(product: ProductToSell, order: AmountDue): Promise<string> {
    const tier = {
      tenantId: product.tenantId,
      productId: product.id,
      amountCents: order.amountCents,
      currency: order.currency,
    };
    const known = await this.db.manager.findOneBy(ProductPrice, tier);
    if (known) return known.stripePriceId;
    const stripeProductId = await this.stripeProductFor(product);
    const price = await this.stripe.createPrice(
      {
        product: stripeProductId,
        unit_amount: order.amountCents,
        currency: order.currency,
        metadata: { tenant_id: String(product.tenantId), product_id: String(product.id) },
      },
      idempotencyKeys.price(product.tenantId, product.id, order.currency, order.amountCents),
    );
    await this.db.manager
      .createQueryBuilder()
      .insert()
      .into(ProductPrice)
      .values({ ...tier, stripePriceId: price.id })
      .orIgnore()
      .execute();
    return (await this.db.manager.findOneByOrFail(ProductPrice, tier)).stripePriceId;
  }

  private async stripeProductFor(product: ProductToSell): Promise<string> {
    if (product.stripeProductId) return product.stripeProductId;
    return this.sharedInFlight(idempotencyKeys.product(product.tenantId, product.id), () =>
      this.createStripeProduct(product),
    );
  }

  private async createStripeProduct(product: ProductToSell): Promise<string> {
    // A mint that read the product before another one recorded its Stripe product
    // finds it here rather than creating it again.
    const recorded = await this.products.recordedStripeProduct(this.db.manager, product);
    if (recorded) return recorded;
    const created = await this.stripe.createProduct(
      {
        name: product.name,
        metadata: { tenant_id: String(product.tenantId), product_id: String(product.id) },
      },
      idempotencyKeys.product(product.tenantId, product.id),
    );
    await this.products.recordStripeProduct(this.db.manager, product, created.id);
    return created.id;
  }
}
