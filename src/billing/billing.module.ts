import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { ClubModule } from '../club/club.module';
import { PaymentLinksModule } from '../payment-links/payment-links.module';
import { BalancesController } from './controllers/balances.controller';
import { CheckoutController } from './controllers/checkout.controller';
import { FirstPaymentLinkController } from './controllers/first-payment-link.controller';
import { FirstPaymentService } from './services/first-payment.service';
import { ThanksService } from './services/thanks.service';
import { BalancesService } from './services/balances.service';
import { OverpaymentsService } from './services/overpayments.service';
import { PaymentLinksBackfillService } from './services/payment-links-backfill.service';

@Module({
  imports: [ClubModule, OrdersModule, PaymentLinksModule],
  controllers: [BalancesController, FirstPaymentLinkController, CheckoutController],
  providers: [
    OverpaymentsService,
    BalancesService,
    FirstPaymentService,
    ThanksService,
    PaymentLinksBackfillService,
  ],
  exports: [OverpaymentsService, BalancesService, PaymentLinksBackfillService],
})
export class BillingModule {}
