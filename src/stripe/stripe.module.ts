import { DynamicModule, Global, Module } from '@nestjs/common';
import { STRIPE_BUDGET_DATABASE, StripeBudget } from './stripe-budget';
import { STRIPE_CONNECTION, StripeConnection, StripeService } from './stripe.service';

@Global()
@Module({})
export class StripeModule {
  /** `databaseUrl`: where the Stripe budget every instance shares is kept. */
  static register(connection: StripeConnection, databaseUrl: string): DynamicModule {
    return {
      module: StripeModule,
      providers: [
        { provide: STRIPE_CONNECTION, useValue: connection },
        { provide: STRIPE_BUDGET_DATABASE, useValue: databaseUrl },
        StripeBudget,
        StripeService,
      ],
      exports: [StripeService],
    };
  }
}
