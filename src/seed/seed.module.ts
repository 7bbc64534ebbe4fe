import { Module } from '@nestjs/common';
import { OrdersModule } from '../orders/orders.module';
import { PaymentLinksModule } from '../payment-links/payment-links.module';
import { DemoSeedService } from './demo-seed.service';

@Module({
  imports: [OrdersModule, PaymentLinksModule],
  providers: [DemoSeedService],
  exports: [DemoSeedService],
})
export class SeedModule {}
