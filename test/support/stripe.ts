import { TEST_WEBHOOK_SECRET } from './webhook-secret';
import { StripeEmulator } from '../../src/stripe-emulator';
import { createTestApp, TestApp } from './app';
import { factories, TestClub } from './factories';

/** A fresh emulator for one test file, signing with the secret the app expects in emulator mode. */
export function startStripeEmulator(
  options: { rateLimitPerSecond?: number } = {},
): Promise<StripeEmulator> {
  return StripeEmulator.start({
    webhookSecret: TEST_WEBHOOK_SECRET,
    rateLimitPerSecond: options.rateLimitPerSecond ?? 0,
  });
}

export interface StripeApp {
  stripe: StripeEmulator;
  t: TestApp;
  club: TestClub;
}

/**
 * For a suite: an emulator, the app talking to it and one club, made before its tests and handed
 * to `ready`; closed after them, once the emulator has finished its webhook deliveries.
 */
export function withStripeApp(
  ready: (made: StripeApp) => void,
  options: { env?: Record<string, string> } = {},
): void {
  let made: StripeApp | undefined;
  beforeAll(async () => {
    const stripe = await startStripeEmulator();
    const t = await createTestApp({ ...options, stripe });
    made = { stripe, t, club: await factories(t.db).club() };
    ready(made);
  });
  afterAll(async () => {
    if (!made) return;
    await made.stripe.waitForDeliveries();
    await made.t.close();
    await made.stripe.close();
  });
}
