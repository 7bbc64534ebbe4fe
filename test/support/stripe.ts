import type { Browser } from 'playwright-core';
import type { Tenant } from '../../src/club/entities/tenant.entity';
import {
  StripeEmulator,
  type RecordedRequest,
  type StripeEmulatorOptions,
} from '../../src/stripe-emulator';
import { createTestApp, TestApp } from './app';
import { factories, TestClub } from './factories';
import type { SmtpSink } from './smtp-sink';
import { TEST_WEBHOOK_SECRET } from './webhook-secret';

/** A fresh emulator for one test file, signing with the secret the app expects in emulator mode. */
export function startStripeEmulator(options: StripeEmulatorOptions = {}): Promise<StripeEmulator> {
  return StripeEmulator.start({
    webhookSecret: TEST_WEBHOOK_SECRET,
    rateLimitPerSecond: 0,
    ...options,
  });
}

/** The most calls the emulator received in any rolling second. */
export function busiestSecond(calls: ReadonlyArray<RecordedRequest>): number {
  const times = calls.map((call) => call.at).sort((a, b) => a - b);
  return Math.max(
    0,
    ...times.map((start) => times.filter((t) => t >= start && t < start + 1000).length),
  );
}

/** POST calls the emulator has received so far: Stripe writes. */
export const stripeWrites = (stripe: StripeEmulator): number =>
  stripe.requests.filter((request) => request.method === 'POST').length;

export interface StripeAppOptions {
  /** The app's configuration; a function when it needs what an earlier `beforeAll` made. */
  env?: Record<string, string> | (() => Record<string, string>);
  /** The emulator's own settings: another webhook secret, shorter retry delays, a rate limit. */
  emulator?: StripeEmulatorOptions;
  /** Fields of the suite's club, such as a name its emails show. */
  club?: Partial<Tenant>;
  /** Starts the SMTP server the app mails through, handed over as `sink` (`SmtpSink.start`). */
  sink?: () => Promise<SmtpSink>;
  /** Launches the suite's browser, handed over as `browser` (`launchBrowser`). */
  browser?: () => Promise<Browser>;
}

export interface StripeApp {
  stripe: StripeEmulator;
  t: TestApp;
  club: TestClub;
}

/** What `withStripeApp` hands over: the sink and the browser only when asked for. */
export type StripeAppWith<O extends StripeAppOptions> = StripeApp &
  (O extends { sink: unknown } ? { sink: SmtpSink } : unknown) &
  (O extends { browser: unknown } ? { browser: Browser } : unknown);

/**
 * For a suite: an emulator, the app talking to it and one club, made before its tests and handed
 * to `ready`; closed after them, once the emulator has finished its webhook deliveries.
 */
export function withStripeApp<const O extends StripeAppOptions>(
  ready: (made: StripeAppWith<O>) => void,
  options?: O,
): void {
  let stripe: StripeEmulator | undefined;
  let t: TestApp | undefined;
  let sink: SmtpSink | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    sink = await options?.sink?.();
    stripe = await startStripeEmulator(options?.emulator);
    const env = typeof options?.env === 'function' ? options.env() : options?.env;
    t = await createTestApp({
      stripe,
      env: { ...(sink && { SMTP_URL: sink.url, MAIL_TRANSPORT: 'smtp' }), ...env },
    });
    const club = await factories(t.db).club(options?.club);
    browser = await options?.browser?.();
    ready({ stripe, t, club, sink, browser } as StripeAppWith<O>);
  });
  afterAll(async () => {
    await browser?.close();
    await stripe?.waitForDeliveries();
    await t?.close();
    await stripe?.close();
    await sink?.close();
  });
}
