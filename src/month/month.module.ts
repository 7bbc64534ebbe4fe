import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module';
import { ClubModule } from '../club/club.module';
import { EmailModule } from '../email/email.module';
import { OrdersModule } from '../orders/orders.module';
import { PaymentLinksModule } from '../payment-links/payment-links.module';
import {
  BillingRunsController,
  OrderChargesController,
} from './controllers/billing-runs.controller';
import { MonthRunRepository } from './repositories/month-run.repository';
import { AutopayService } from './services/autopay.service';
import { BillingRunsService } from './services/billing-runs.service';
import { MonthRunService } from './services/month-run.service';

/**
 * The club's month (monthly-cycle.md): the month run behind its cron tick, the CLI and the admin
 * routes; autopay on saved cards; the "card refused" mail. Builds on billing (saved cards, charge
 * attempts), payment links (Pay Now) and email (the mail), which know nothing of it.
 */
@Module({
  imports: [ClubModule, OrdersModule, PaymentLinksModule, BillingModule, EmailModule],
  controllers: [BillingRunsController, OrderChargesController],
  providers: [MonthRunRepository, AutopayService, MonthRunService, BillingRunsService],
  exports: [MonthRunService],
})
export class MonthModule {}
