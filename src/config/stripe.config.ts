import { registerAs } from '@nestjs/config';
import { IsIn, IsInt, IsOptional, IsUrl, Matches, Max, Min, ValidateIf } from 'class-validator';
import { parseEnvironment } from './environment';

/** The emulator accepts any test-mode key; this one moves no money and guards nothing. */
export const EMULATOR_SECRET_KEY = 'sk_test_courtside_emulator';

export type StripeMode = 'emulator' | 'stripe';

export class StripeEnvironment {
  @IsOptional() @IsIn(['emulator', 'stripe']) STRIPE_MODE?: StripeMode;

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
  /** The emulator another instance serves: this instance starts none (several on one machine). */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  STRIPE_EMULATOR_URL?: string;
  @IsOptional() @IsInt() @Min(1) @Max(100) STRIPE_RATE_LIMIT_PER_SECOND?: number;
  @IsOptional() @IsInt() @Min(0) @Max(10) STRIPE_MAX_RETRIES?: number;
}

/** A key means real Stripe; no key means the built-in emulator, unless STRIPE_MODE says otherwise. */
export function stripeModeOf(env: NodeJS.ProcessEnv): StripeMode {
  if (env.STRIPE_MODE === 'emulator' || env.STRIPE_MODE === 'stripe') return env.STRIPE_MODE;
  return env.STRIPE_SECRET_KEY ? 'stripe' : 'emulator';
}

/**
 * The rules that join variables of two areas. Somebody's real data (a DATABASE_URL) never
 * meets the emulator by accident: the emulator's webhooks would mark that data's orders paid.
 */
export function stripeModeProblems(env: NodeJS.ProcessEnv): string[] {
  const explicit = env.STRIPE_MODE;
  if (explicit === 'emulator' && env.STRIPE_SECRET_KEY)
    return ['STRIPE_MODE: STRIPE_MODE=emulator cannot be combined with STRIPE_SECRET_KEY'];
  if (explicit === 'stripe' && !env.STRIPE_SECRET_KEY)
    return ['STRIPE_SECRET_KEY: STRIPE_SECRET_KEY is required with STRIPE_MODE=stripe'];
  if (env.STRIPE_EMULATOR_URL && stripeModeOf(env) !== 'emulator')
    return [
      'STRIPE_EMULATOR_URL: STRIPE_EMULATOR_URL is for the emulator; it cannot be combined with STRIPE_SECRET_KEY',
    ];
  if (env.STRIPE_EMULATOR_URL && !env.STRIPE_WEBHOOK_SECRET)
    return [
      'STRIPE_WEBHOOK_SECRET: STRIPE_WEBHOOK_SECRET is required with STRIPE_EMULATOR_URL: the secret the instance serving the emulator signs with (set the same on both)',
    ];
  if (explicit === undefined && env.DATABASE_URL && !env.STRIPE_SECRET_KEY)
    return [
      'STRIPE_SECRET_KEY: STRIPE_SECRET_KEY is required with DATABASE_URL; to use the built-in Stripe emulator with that database on purpose, set STRIPE_MODE=emulator',
    ];
  return [];
}

export const stripeConfig = registerAs('stripe', () => {
  const env = parseEnvironment(process.env, StripeEnvironment);
  const emulator = stripeModeOf(process.env) === 'emulator';
  const livemode = !emulator && (env.STRIPE_SECRET_KEY?.includes('_live_') ?? false);
  return {
    /** The built-in emulator: `npm start` runs it in-process, no real money moves. */
    emulator,
    secretKey: emulator ? EMULATOR_SECRET_KEY : env.STRIPE_SECRET_KEY!,
    /**
     * Real Stripe: the endpoint's secrets. The emulator signs with its data folder's random
     * secret unless STRIPE_WEBHOOK_SECRET pins one (see StripeEmulator's `stateDir`).
     */
    webhookSecrets: env.STRIPE_WEBHOOK_SECRET?.split(',') ?? [],
    livemode,
    emulatorPort: env.STRIPE_EMULATOR_PORT ?? 12111,
    /** Set: the emulator another instance serves, which this one uses instead of starting its own. */
    sharedEmulatorUrl: emulator ? env.STRIPE_EMULATOR_URL?.replace(/\/$/, '') : undefined,
    /** Stripe allows about 100 operations/s live and 25/s in test mode; stay under both. */
    rateLimitPerSecond: env.STRIPE_RATE_LIMIT_PER_SECOND ?? (livemode ? 80 : 20),
    /** Tries after the first of a call that failed transiently (5xx, reset, timeout, 409, 429). */
    maxRetries: env.STRIPE_MAX_RETRIES ?? 6,
  };
});

export type StripeConfig = ReturnType<typeof stripeConfig>;
