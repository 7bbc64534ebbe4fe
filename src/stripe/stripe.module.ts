import { DynamicModule, Global, Module } from '@nestjs/common';
import { STRIPE_CONNECTION, StripeConnection, StripeService } from './stripe.service';

@Global()
@Module({})
export class StripeModule {
  static register(connection: StripeConnection): DynamicModule {
    return {
      module: StripeModule,
      providers: [{ provide: STRIPE_CONNECTION, useValue: connection }, StripeService],
      exports: [StripeService],
    };
  }
}
