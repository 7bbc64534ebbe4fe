import { registerAs } from '@nestjs/config';
import { IsInt, IsOptional, Matches, Max, Min, ValidateIf } from 'class-validator';
import { parseEnvironment } from './environment';

/** The emulator signs with this when no real Stripe is configured; it moves no money. */
export const EMULATOR_WEBHOOK_SECRET = 'whsec_courtside_emulator_not_a_secret';
export const EMULATOR_SECRET_KEY = 'sk_test_courtside_emulator';

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

  @IsOptional() @IsInt() @Min(1024) @Max(65535) STRIPE_EMULATOR_PORT?: number;
  @IsOptional() @IsInt() @Min(1) @Max(100) STRIPE_RATE_LIMIT_PER_SECOND?: number;
}

export const stripeConfig = registerAs('stripe', () => {
  const env = parseEnvironment(process.env, StripeEnvironment);
  const livemode = env.STRIPE_SECRET_KEY?.includes('_live_') ?? false;
  return {
    /** No key means the built-in emulator: `npm start` runs it in-process, no real money moves. */
    emulator: !env.STRIPE_SECRET_KEY,
    secretKey: env.STRIPE_SECRET_KEY ?? EMULATOR_SECRET_KEY,
    webhookSecrets: env.STRIPE_WEBHOOK_SECRET?.split(',') ?? [EMULATOR_WEBHOOK_SECRET],
    livemode,
    emulatorPort: env.STRIPE_EMULATOR_PORT ?? 12111,
    /** Stripe allows about 100 operations/s live and 25/s in test mode; stay under both. */
    rateLimitPerSecond: env.STRIPE_RATE_LIMIT_PER_SECOND ?? (livemode ? 80 : 20),
  };
});
export type StripeConfig = ReturnType<typeof stripeConfig>;
