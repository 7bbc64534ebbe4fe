import Stripe from 'stripe';
import type { StripeEmulator } from '../stripe-emulator';

/** The real SDK pointed at an emulator, the way Courtside's StripeService points it. */
export function sdkClient(
  emulator: StripeEmulator,
  options: { maxNetworkRetries?: number; timeout?: number; key?: string } = {},
): Stripe {
  return new Stripe(options.key ?? 'sk_test_emulator_spec', {
    host: '127.0.0.1',
    port: emulator.port,
    protocol: 'http',
    maxNetworkRetries: options.maxNetworkRetries ?? 0,
    timeout: options.timeout ?? 5_000,
    telemetry: false,
  });
}

/** A price for `amount` on a new product, and a payment link selling it. */
export async function mintLink(
  stripe: Stripe,
  params: Partial<Stripe.PaymentLinkCreateParams> & { amount?: number; productName?: string } = {},
): Promise<Stripe.PaymentLink> {
  const { amount = 12500, productName = 'Spring season fee', ...linkParams } = params;
  const price = await stripe.prices.create({
    currency: 'usd',
    unit_amount: amount,
    product_data: { name: productName },
  });
  return stripe.paymentLinks.create({
    line_items: [{ price: price.id, quantity: 1 }],
    metadata: { tenant_id: 't1', order_id: '42', player_id: '7', product_id: '3' },
    payment_intent_data: {
      metadata: { tenant_id: 't1', order_id: '42', player_id: '7', product_id: '3', via: 'pi' },
    },
    restrictions: { completed_sessions: { limit: 1 } },
    ...linkParams,
  });
}
