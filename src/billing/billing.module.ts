import { Module } from '@nestjs/common';
import { OverpaymentsService } from './services/overpayments.service';

@Module({ providers: [OverpaymentsService], exports: [OverpaymentsService] })
export class BillingModule {}
