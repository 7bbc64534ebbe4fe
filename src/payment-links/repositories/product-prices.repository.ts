import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ProductPrice } from '../entities/product-price.entity';

/** One product's Stripe Price at one amount and currency. */
export type PriceTier = Pick<ProductPrice, 'tenantId' | 'productId' | 'amountCents' | 'currency'>;

/** The `product_prices` table: the Stripe Price made for each tier. */
@Injectable()
export class ProductPricesRepository {
  constructor(@InjectRepository(ProductPrice) private readonly prices: Repository<ProductPrice>) {}

  async stripePriceOf(tier: PriceTier): Promise<string | undefined> {
    return (await this.prices.findOneBy(tier))?.stripePriceId;
  }

  /** Records the tier's Stripe Price; the first one recorded wins, and is the one returned. */
  async record(tier: PriceTier, stripePriceId: string): Promise<string> {
    await this.prices
      .createQueryBuilder()
      .insert()
      .into(ProductPrice)
      .values({ ...tier, stripePriceId })
      .orIgnore()
      .execute();
    return (await this.prices.findOneByOrFail(tier)).stripePriceId;
  }
}
