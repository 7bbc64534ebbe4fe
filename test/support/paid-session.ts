import { randomBytes } from 'node:crypto';
import type { CheckoutSession, StripeEmulator } from '../../src/stripe-emulator';

/**
 * A session opened on the link and reported paid, as Stripe would, with what the case changes:
 * for events the emulator will not send (foreign metadata, odd content), crafted by the test.
 */
export async function paidSessionOn(
  stripe: StripeEmulator,
  stripePaymentLinkId: string,
  changes: Partial<CheckoutSession> = {},
): Promise<CheckoutSession> {
  const open = await stripe.openSession(stripePaymentLinkId);
  return {
    ...open,
    status: 'complete',
    payment_status: 'paid',
    payment_intent: `pi_crafted_${randomBytes(8).toString('hex')}`,
    url: null,
    ...changes,
  };
}
