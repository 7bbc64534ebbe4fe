import { EMULATOR_WEBHOOK_SECRET } from '../../src/config';
import { StripeEmulator } from '../../src/stripe-emulator';

/** A fresh emulator for one test file, signing with the secret the app expects in emulator mode. */
export function startStripeEmulator(
  options: { rateLimitPerSecond?: number } = {},
): Promise<StripeEmulator> {
  return StripeEmulator.start({
    webhookSecret: EMULATOR_WEBHOOK_SECRET,
    rateLimitPerSecond: options.rateLimitPerSecond ?? 0,
  });
}
