import { Module } from '@nestjs/common';
import { BillingModule } from '../billing/billing.module';
import { ClubModule } from '../club/club.module';
import { TournamentModule } from '../tournament/tournament.module';
import { BlastRegistry } from './blast-registry';
import { EmailController } from './controllers/email.controller';
import { BlastsService } from './services/blasts.service';
import { MessageDeliveryService } from './services/message-delivery.service';
import { ReceiptsService } from './services/receipts.service';

/** Blasts from the registry, receipts, and the log of every message: each family mailed once. */
@Module({
  imports: [ClubModule, BillingModule, TournamentModule],
  controllers: [EmailController],
  providers: [BlastRegistry, MessageDeliveryService, BlastsService, ReceiptsService],
  exports: [ReceiptsService],
})
export class EmailModule {}
