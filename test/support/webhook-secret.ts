import { newWebhookSecret } from '../../src/stripe-emulator';

/**
 * What the test apps and emulators of one test file sign and check webhooks with: random, as
 * `npm start`'s is per data folder, so no secret that could verify a forged event is in the code.
 */
export const TEST_WEBHOOK_SECRET = newWebhookSecret();
