import { Module } from '@nestjs/common';
import { ClubModule } from '../club/club.module';
import { CheckoutPagesController } from './controllers/checkout-pages.controller';
import { PaymentLinksController } from './controllers/payment-links.controller';
import { PaymentLinksService } from './services/payment-links.service';

@Module({
  imports: [ClubModule],
  controllers: [PaymentLinksController, CheckoutPagesController],
  providers: [PaymentLinksService],
  exports: [PaymentLinksService],
})
export class PaymentLinksModule {}
