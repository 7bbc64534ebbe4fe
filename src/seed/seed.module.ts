import { Module } from '@nestjs/common';
import { PaymentLinksModule } from '../payment-links/payment-links.module';
import { DemoSeedService } from './demo-seed.service';

@Module({ imports: [PaymentLinksModule], providers: [DemoSeedService], exports: [DemoSeedService] })
export class SeedModule {}
