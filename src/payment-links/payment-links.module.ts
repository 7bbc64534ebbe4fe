import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { ClubModule } from '../club/club.module';
import { PaymentLinksController } from './controllers/payment-links.controller';
import { CheckoutUrlsBackfillService } from './services/checkout-urls-backfill.service';
import { PaymentLinksService } from './services/payment-links.service';

@Module({
  imports: [ClubModule, OrdersModule],
  controllers: [PaymentLinksController],
  providers: [PaymentLinksService, CheckoutUrlsBackfillService],
  exports: [PaymentLinksService, CheckoutUrlsBackfillService],
})
export class PaymentLinksModule {}
