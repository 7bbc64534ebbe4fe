import { registerAs } from '@nestjs/config';
import { IsOptional, Matches, ValidateIf } from 'class-validator';
import { parseEnvironment } from './environment';

export class StripeEnvironment {
  @IsOptional()
  @Matches(/^(sk|rk)_(test|live)_\w+$/, {
    message: 'STRIPE_SECRET_KEY must look like sk_test_… or sk_live_…',
  })
  STRIPE_SECRET_KEY?: string;

  @ValidateIf(
    (env: StripeEnvironment) =>
      Boolean(env.STRIPE_SECRET_KEY) || env.STRIPE_WEBHOOK_SECRET !== undefined,
  )
  @Matches(/^whsec_\w+(,whsec_\w+)*$/, {
    message:
      'STRIPE_WEBHOOK_SECRET is required with STRIPE_SECRET_KEY (whsec_…, comma-separated while rotating)',
  })
  STRIPE_WEBHOOK_SECRET?: string;
}

export const stripeConfig = registerAs('stripe', () => {
  const env = parseEnvironment(process.env, StripeEnvironment);
  return {
    /** Unset means: the built-in Stripe emulator, where no real money moves. */
    secretKey: env.STRIPE_SECRET_KEY,
    webhookSecrets: env.STRIPE_WEBHOOK_SECRET?.split(',') ?? [],
    livemode: env.STRIPE_SECRET_KEY?.includes('_live_') ?? false,
  };
});
export type StripeConfig = ReturnType<typeof stripeConfig>;
