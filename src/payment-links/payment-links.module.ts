import { Module } from '@nestjs/common';
import { ClubModule } from '../club/club.module';
import { PaymentLinksController } from './controllers/payment-links.controller';
import { PaymentLinksService } from './services/payment-links.service';

@Module({
  imports: [ClubModule],
  controllers: [PaymentLinksController],
  providers: [PaymentLinksService],
  exports: [PaymentLinksService],
})
export class PaymentLinksModule {}
