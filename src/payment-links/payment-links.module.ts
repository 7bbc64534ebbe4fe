import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrdersModule } from '../orders/orders.module';
import { ClubModule } from '../club/club.module';
import { PaymentLinksController } from './controllers/payment-links.controller';
import { ProductPrice } from './entities/product-price.entity';
import { PaymentLinksRepository } from './repositories/payment-links.repository';
import { ProductPricesRepository } from './repositories/product-prices.repository';
import { SessionOrdersRepository } from './repositories/session-orders.repository';
import { CheckoutUrlsBackfillService } from './services/checkout-urls-backfill.service';
import { LegacyLinksService } from './services/legacy-links.service';
import { LinkRetirementService } from './services/link-retirement.service';
import { PaymentLinksService } from './services/payment-links.service';
import { PriceTiersService } from './services/price-tiers.service';

@Module({
  imports: [TypeOrmModule.forFeature([ProductPrice]), ClubModule, OrdersModule],
  controllers: [PaymentLinksController],
  providers: [
    PaymentLinksRepository,
    ProductPricesRepository,
    SessionOrdersRepository,
    PriceTiersService,
    LegacyLinksService,
    LinkRetirementService,
    PaymentLinksService,
    CheckoutUrlsBackfillService,
  ],
  exports: [
    PaymentLinksRepository,
    PaymentLinksService,
    LinkRetirementService,
    CheckoutUrlsBackfillService,
  ],
})
export class PaymentLinksModule {}
