import { Module } from '@nestjs/common';
import { ClubModule } from '../club/club.module';
import { BalancesController } from './controllers/balances.controller';
import { BalancesService } from './services/balances.service';
import { OverpaymentsService } from './services/overpayments.service';

@Module({
  imports: [ClubModule],
  controllers: [BalancesController],
  providers: [OverpaymentsService, BalancesService],
  exports: [OverpaymentsService, BalancesService],
})
export class BillingModule {}
