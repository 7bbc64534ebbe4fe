import { AutopayNoticesRepository } from './repositories/autopay-notices.repository';
import { AutopayNoticesService } from './services/autopay-notices.service';
import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module';
import { ClubModule } from '../club/club.module';
import { TournamentModule } from '../tournament/tournament.module';
import { BlastRegistry } from './blast-registry';
import { EmailController } from './controllers/email.controller';
import { RemindersController } from './controllers/reminders.controller';
import { BlastMessagesRepository } from './repositories/blast-messages.repository';
import { BlastsRepository } from './repositories/blasts.repository';
import { EmailMessagesRepository } from './repositories/email-messages.repository';
import { ReceiptsRepository } from './repositories/receipts.repository';
import { RemindersRepository } from './repositories/reminders.repository';
import { BlastPlanningService } from './services/blast-planning.service';
import { BlastSendingService } from './services/blast-sending.service';
import { BlastViewsService } from './services/blast-views.service';
import { MessageDeliveryService } from './services/message-delivery.service';
import { ReceiptsService } from './services/receipts.service';
import { RemindersService } from './services/reminders.service';

/** Blasts from the registry, receipts, reminders, and the log of every message: each family mailed once. */
@Module({
  imports: [ClubModule, BillingModule, TournamentModule],
  controllers: [EmailController, RemindersController],
  providers: [
    BlastRegistry,
    BlastsRepository,
    BlastMessagesRepository,
    EmailMessagesRepository,
    ReceiptsRepository,
    RemindersRepository,
    MessageDeliveryService,
    BlastPlanningService,
    BlastViewsService,
    BlastSendingService,
    ReceiptsService,
    AutopayNoticesRepository,
    AutopayNoticesService,
    RemindersService,
  ],
  exports: [ReceiptsService, AutopayNoticesService, BlastSendingService],
})
export class EmailModule {}
