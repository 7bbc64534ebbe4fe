/**
 * Every Stripe write's idempotency key, derived from our ids and nothing else, so a retry, a
 * double submit or a second instance sends Stripe the same key for the same intent. Changing a
 * format makes Stripe treat in-flight work as new: the spec beside this file pins each one.
 */
export const idempotencyKeys = {
  /** The order's pay link; `version` counts the order's retired links, plus one. */
  payLink: (tenantId: number, orderId: number, version: number) =>
    `link:${tenantId}:${orderId}:v${version}`,
  /** The club product's Stripe Product. */
  product: (tenantId: number, productId: number) => `product:${tenantId}:${productId}`,
  /** One Stripe Price per product, currency and amount (a price tier). */
  price: (tenantId: number, productId: number, currency: string, amountCents: number) =>
    `price:${tenantId}:${productId}:${currency}:${amountCents}`,
  /** The refund of what a Checkout Session paid beyond its order. */
  overpaymentRefund: (checkoutSessionId: string) => `refund:overpayment:${checkoutSessionId}`,
  /** An off-session charge of the saved card for an order; `attempt` counts the order's tries. */
  autopay: (tenantId: number, orderId: number, attempt: number) =>
    `autopay:${tenantId}:${orderId}:v${attempt}`,
  /** The family's Stripe customer (the demo seed's; a payment link makes its own). */
  customer: (tenantId: number, parentId: number) => `customer:${tenantId}:${parentId}`,
  /** A card attached to the family's customer (a PaymentMethod id or a test token). */
  attachCard: (tenantId: number, parentId: number, paymentMethod: string) =>
    `attach:${tenantId}:${parentId}:${paymentMethod}`,
  deactivatePayLink: (stripePaymentLinkId: string) => `deactivate:${stripePaymentLinkId}`,
  expireCheckoutSession: (checkoutSessionId: string) => `expire:${checkoutSessionId}`,
};
