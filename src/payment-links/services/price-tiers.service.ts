import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ProductsService } from '../../club/services/products.service';
import type { Order } from '../../orders/entities/order.entity';
import { idempotencyKeys } from '../../stripe/idempotency-keys';
import { StripeService } from '../../stripe/stripe.service';
import type { OrderForLink } from '../repositories/payment-links.repository';
import { ProductPricesRepository } from '../repositories/product-prices.repository';
import { SharedRequests } from '../shared-requests';

type ProductToSell = OrderForLink['product'];
type AmountDue = Pick<Order, 'amountCents' | 'currency'>;

/**
 * The Stripe side of what the club sells: a Stripe Product per club product, and one Stripe
 * Price per price tier (product, currency, amount), each made once and recorded.
 */
@Injectable()
export class PriceTiersService {
  private readonly shared = new SharedRequests();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly stripe: StripeService,
    private readonly products: ProductsService,
    private readonly prices: ProductPricesRepository,
  ) {}

  /** The Stripe Price for this product at the order's amount: one per tier, made once. */
  stripePriceFor(product: ProductToSell, order: AmountDue): Promise<string> {
    return this.shared.share(
      idempotencyKeys.price(product.tenantId, product.id, order.currency, order.amountCents),
      () => this.findOrCreatePrice(product, order),
    );
  }

  private async findOrCreatePrice(product: ProductToSell, order: AmountDue): Promise<string> {
    const tier = {
      tenantId: product.tenantId,
      productId: product.id,
      amountCents: order.amountCents,
      currency: order.currency,
    };
    const known = await this.prices.stripePriceOf(tier);
    if (known) return known;
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
    return this.prices.record(tier, price.id);
  }

  private async stripeProductFor(product: ProductToSell): Promise<string> {
    if (product.stripeProductId) return product.stripeProductId;
    return this.shared.share(idempotencyKeys.product(product.tenantId, product.id), () =>
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
