import { Module } from '@nestjs/common';
import { ClubModule } from '../club/club.module';
import { EmailController } from './controllers/email.controller';
import { BlastsService } from './services/blasts.service';
import { MessageDeliveryService } from './services/message-delivery.service';
import { ReceiptsService } from './services/receipts.service';

/** Blasts from the registry, receipts, and the log of every message: each family mailed once. */
@Module({
  imports: [ClubModule],
  controllers: [EmailController],
  providers: [MessageDeliveryService, BlastsService, ReceiptsService],
  exports: [ReceiptsService],
})
export class EmailModule {}
