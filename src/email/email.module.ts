import { Module } from '@nestjs/common';
import { ClubModule } from '../club/club.module';
import { EmailController } from './controllers/email.controller';
import { BlastMessagesRepository } from './repositories/blast-messages.repository';
import { BlastsRepository } from './repositories/blasts.repository';
import { EmailMessagesRepository } from './repositories/email-messages.repository';
import { ReceiptsRepository } from './repositories/receipts.repository';
import { BlastPlanningService } from './services/blast-planning.service';
import { BlastSendingService } from './services/blast-sending.service';
import { BlastViewsService } from './services/blast-views.service';
import { MessageDeliveryService } from './services/message-delivery.service';
import { ReceiptsService } from './services/receipts.service';

/** Blasts from the registry, receipts, and the log of every message: each family mailed once. */
@Module({
  imports: [ClubModule],
  controllers: [EmailController],
  providers: [
    BlastsRepository,
    BlastMessagesRepository,
    EmailMessagesRepository,
    ReceiptsRepository,
    MessageDeliveryService,
    BlastPlanningService,
    BlastViewsService,
    BlastSendingService,
    ReceiptsService,
  ],
  exports: [ReceiptsService],
})
export class EmailModule {}
