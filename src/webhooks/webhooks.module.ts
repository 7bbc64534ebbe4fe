import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module';
import { OrdersModule } from '../orders/orders.module';
import { ClubModule } from '../club/club.module';
import { EmailModule } from '../email/email.module';
import { PaymentLinksModule } from '../payment-links/payment-links.module';
import { StripeWebhooksController } from './controllers/stripe-webhooks.controller';
import { WebhookEventsController } from './controllers/webhook-events.controller';
import { ReconciliationRepository } from './repositories/reconciliation.repository';
import { StripeEventsRepository } from './repositories/stripe-events.repository';
import { EventApplicationService } from './services/event-application.service';
import { EventReplayService } from './services/event-replay.service';
import { PaymentEventsService } from './services/payment-events.service';
import { ReconciliationApplyService } from './services/reconciliation-apply.service';
import { ReconciliationService } from './services/reconciliation.service';
import { RefundAndDisputeEventsService } from './services/refund-and-dispute-events.service';
import { StripeEventsService } from './services/stripe-events.service';
import { WebhookEventsService } from './services/webhook-events.service';

@Module({
  imports: [ClubModule, OrdersModule, PaymentLinksModule, BillingModule, EmailModule],
  controllers: [StripeWebhooksController, WebhookEventsController],
  providers: [
    StripeEventsRepository,
    StripeEventsService,
    EventApplicationService,
    EventReplayService,
    PaymentEventsService,
    RefundAndDisputeEventsService,
    WebhookEventsService,
    ReconciliationService,
    ReconciliationApplyService,
    ReconciliationRepository,
  ],
  exports: [StripeEventsService, ReconciliationService],
})
export class WebhooksModule {}
