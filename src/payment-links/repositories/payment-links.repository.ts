import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { ClubRecords } from '../../common/club-records';
import { preparedQuery } from '../../database/prepared-query';
import type { Order } from '../../orders/entities/order.entity';
import type { Product } from '../../club/entities/product.entity';
import type { ListPaymentLinksQuery } from '../dtos/payment-link.dto';
import { PaymentLink } from '../entities/payment-link.entity';

const paymentLinkRecords = new ClubRecords(PaymentLink, 'Payment link');

/**
 * An order about to get a pay link, with everything minting decides by, read at one moment
 * (its product always exists: a composite foreign key).
 */
export interface OrderForLink {
  order: Pick<
    Order,
    'id' | 'tenantId' | 'playerId' | 'productId' | 'amountCents' | 'currency' | 'status'
  >;
  product: Pick<Product, 'id' | 'tenantId' | 'name' | 'category' | 'stripeProductId'>;
  /** The order's active link, if it has one (one per order). */
  activeLinkId: number | null;
  /** The Stripe Price already made for the product at the order's amount, if any. */
  stripePriceId: string | null;
  /** The order's links that were paid or deactivated: the next link's idempotency-key version. */
  retiredLinks: number;
}

interface Row {
  id: number;
  tenant_id: number;
  player_id: number;
  product_id: number;
  amount_cents: number;
  currency: string;
  status: Order['status'];
  product_name: string;
  product_category: Product['category'];
  stripe_product_id: string | null;
  active_link_id: number | null;
  stripe_price_id: string | null;
  retired_links: number;
}

/** The `payment_links` table, and the one read minting decides by. */
@Injectable()
export class PaymentLinksRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  find(tenantId: number, id: number): Promise<PaymentLink> {
    return paymentLinkRecords.find(this.db.manager, tenantId, id);
  }

  page(
    tenantId: number,
    query: ListPaymentLinksQuery,
  ): Promise<{ rows: PaymentLink[]; limit: number }> {
    return paymentLinkRecords.page(this.db.manager, tenantId, query, {
      status: query.status,
      playerId: query.player_id,
      orderId: query.order_id,
    });
  }

  /** The order's one active link, if any. */
  activeForOrder(
    tenantId: number,
    orderId: number,
    manager: EntityManager = this.db.manager,
  ): Promise<PaymentLink | null> {
    return manager.findOneBy(PaymentLink, { tenantId, orderId, status: 'active' });
  }

  byStripeId(
    manager: EntityManager,
    tenantId: number,
    stripePaymentLinkId: string,
  ): Promise<PaymentLink | null> {
    return manager.findOneBy(PaymentLink, { tenantId, stripePaymentLinkId });
  }

  /** Whether any club's row records this Stripe link. */
  isRecorded(stripePaymentLinkId: string): Promise<boolean> {
    return this.db.manager.existsBy(PaymentLink, { stripePaymentLinkId });
  }

  /**
   * Records the link unless a row has its Stripe id or it would be the order's second active
   * link (both unique): the new row, or undefined when one was there first.
   */
  async insertIfAbsent(
    manager: EntityManager,
    values: Partial<PaymentLink>,
  ): Promise<PaymentLink | undefined> {
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(PaymentLink)
      .values(values)
      .orIgnore()
      .execute();
    if ((inserted.raw as unknown[]).length === 0) return undefined;
    return manager.create(PaymentLink, { ...values, ...inserted.generatedMaps[0] });
  }

  /** An active link becomes paid or deactivated; any other row is left as it is. */
  async retire(
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
  }

  /** Stripe has closed the link: when, unless already noted. */
  async closedAtStripe(tenantId: number, stripePaymentLinkId: string): Promise<void> {
    await this.db.manager.update(
      PaymentLink,
      { tenantId, stripePaymentLinkId, deactivatedAt: IsNull() },
      { deactivatedAt: new Date() },
    );
  }

  /**
   * One SQL statement instead of a lookup per question: a backfill mints hundreds of links, and
   * each round trip it saves is one the Stripe rate limit would otherwise wait behind.
   */
  async orderForLink(tenantId: number, orderId: number): Promise<OrderForLink | undefined> {
    const [row] = (await this.db.query(
      `SELECT o.id, o.tenant_id, o.player_id, o.product_id, o.amount_cents, o.currency, o.status,
              pr.name AS product_name, pr.category AS product_category, pr.stripe_product_id,
              active.id AS active_link_id,
              (SELECT pp.stripe_price_id FROM product_prices pp
               WHERE pp.tenant_id = o.tenant_id AND pp.product_id = o.product_id
                 AND pp.amount_cents = o.amount_cents AND pp.currency = o.currency) AS stripe_price_id,
              (SELECT count(*) FROM payment_links l
               WHERE l.tenant_id = o.tenant_id AND l.order_id = o.id AND l.status <> 'active'
              )::int AS retired_links
       FROM orders o
       JOIN products pr ON pr.tenant_id = o.tenant_id AND pr.id = o.product_id
       LEFT JOIN payment_links active
         ON active.tenant_id = o.tenant_id AND active.order_id = o.id AND active.status = 'active'
       WHERE o.tenant_id = $1 AND o.id = $2`,
      [tenantId, orderId],
    )) as Row[];
    if (!row) return undefined;
    return {
      order: {
        id: row.id,
        tenantId: row.tenant_id,
        playerId: row.player_id,
        productId: row.product_id,
        amountCents: row.amount_cents,
        currency: row.currency,
        status: row.status,
      },
      product: {
        id: row.product_id,
        tenantId: row.tenant_id,
        name: row.product_name,
        category: row.product_category,
        stripeProductId: row.stripe_product_id,
      },
      activeLinkId: row.active_link_id,
      stripePriceId: row.stripe_price_id,
      retiredLinks: row.retired_links,
    };
  }
}
