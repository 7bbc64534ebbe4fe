import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

function randomAlphanumeric(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  // 62 does not divide 256: the slight bias does not matter for test ids.
  for (const byte of bytes) out += ALPHABET[byte % ALPHABET.length];
  return out;
}

/** Stripe-looking ids: a type prefix and a random tail of Stripe's usual length. */
export const newId = {
  product: () => `prod_${randomAlphanumeric(14)}`,
  price: () => `price_${randomAlphanumeric(24)}`,
  paymentLink: () => `plink_${randomAlphanumeric(24)}`,
  checkoutSession: () => `cs_test_${randomAlphanumeric(58)}`,
  customer: () => `cus_${randomAlphanumeric(14)}`,
  fingerprint: () => randomAlphanumeric(16),
  paymentIntent: () => `pi_${randomAlphanumeric(24)}`,
  paymentMethod: () => `pm_${randomAlphanumeric(24)}`,
  charge: () => `ch_${randomAlphanumeric(24)}`,
  refund: () => `re_${randomAlphanumeric(24)}`,
  dispute: () => `dp_${randomAlphanumeric(24)}`,
  event: () => `evt_${randomAlphanumeric(24)}`,
  lineItem: () => `li_${randomAlphanumeric(24)}`,
  request: () => `req_${randomAlphanumeric(14)}`,
  clientSecretTail: () => `secret_${randomAlphanumeric(25)}`,
};

export function unixSeconds(ms = Date.now()): number {
  return Math.floor(ms / 1000);
}
