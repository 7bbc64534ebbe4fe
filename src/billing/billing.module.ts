import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { ClubModule } from '../club/club.module';
import { PaymentLinksModule } from '../payment-links/payment-links.module';
import { BalancesController } from './controllers/balances.controller';
import { CheckoutController } from './controllers/checkout.controller';
import { FirstPaymentLinkController } from './controllers/first-payment-link.controller';
import { FirstPaymentService } from './services/first-payment.service';
import { ThanksService } from './services/thanks.service';
import { ContractEndingsService } from './services/contract-endings.service';
import { ContractEndingsRepository } from './repositories/contract-endings.repository';
import { BalancesService } from './services/balances.service';
import { OverpaymentsService } from './services/overpayments.service';
import { PaymentLinksBackfillService } from './services/payment-links-backfill.service';
import { BackfillCandidatesRepository } from './repositories/backfill-candidates.repository';
import { FirstMonthRepository } from './repositories/first-month.repository';
import { OverpaymentsRepository } from './repositories/overpayments.repository';
import { StatementsRepository } from './repositories/statements.repository';
import { ThanksRepository } from './repositories/thanks.repository';
import { ChargeAttemptsRepository } from './repositories/charge-attempts.repository';
import { SavedCardsRepository } from './repositories/saved-cards.repository';
import { SavedCardsService } from './services/saved-cards.service';

@Module({
  imports: [ClubModule, OrdersModule, PaymentLinksModule],
  controllers: [BalancesController, FirstPaymentLinkController, CheckoutController],
  providers: [
    OverpaymentsService,
    BalancesService,
    FirstPaymentService,
    ThanksService,
    PaymentLinksBackfillService,
    ContractEndingsService,
    StatementsRepository,
    FirstMonthRepository,
    ContractEndingsRepository,
    BackfillCandidatesRepository,
    OverpaymentsRepository,
    ThanksRepository,
    SavedCardsRepository,
    SavedCardsService,
    ChargeAttemptsRepository,
  ],
  // The repositories are the email registry's readers of the statement and the first month.
  exports: [
    OverpaymentsService,
    BalancesService,
    PaymentLinksBackfillService,
    StatementsRepository,
    FirstMonthRepository,
    SavedCardsService,
    ChargeAttemptsRepository,
  ],
})
export class BillingModule {}
