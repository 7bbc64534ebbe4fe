import Stripe from 'stripe';

/**
 * The requests Courtside makes of Stripe and the parts of the answers it relies on. Run
 * against the emulator in every test run, and against Stripe's test mode by
 * `npm run test:stripe-live`, so the emulator cannot drift from Stripe unnoticed.
 */
export interface ContractResult {
  name: string;
  /** The fields Courtside reads, reduced to what must match (prefixes, types, values we sent). */
  relied: unknown;
}

const prefix = (id: string) => id.replace(/_[A-Za-z0-9]+$/, '_');

export async function runStripeContract(stripe: Stripe, runId: string): Promise<ContractResult[]> {
  const results: ContractResult[] = [];
  const metadata = { tenant_id: '1', order_id: runId, player_id: '7', product_id: '9' };

  const product = await stripe.products.create(
    { name: 'Contract jersey', metadata: { tenant_id: '1', product_id: '9' } },
    { idempotencyKey: `contract:product:${runId}` },
  );
  results.push({
    name: 'product',
    relied: { id: prefix(product.id), object: product.object, metadata: product.metadata },
  });

  const price = await stripe.prices.create(
    {
      product: product.id,
      unit_amount: 4500,
      currency: 'usd',
      metadata: { tenant_id: '1', product_id: '9' },
    },
    { idempotencyKey: `contract:price:${runId}` },
  );
  results.push({
    name: 'price',
    relied: {
      id: prefix(price.id),
      unit_amount: price.unit_amount,
      currency: price.currency,
      product: price.product === product.id,
    },
  });

  const linkParams: Stripe.PaymentLinkCreateParams = {
    line_items: [{ price: price.id, quantity: 1 }],
    metadata,
    payment_intent_data: { metadata, setup_future_usage: 'off_session' },
    restrictions: { completed_sessions: { limit: 1 } },
    after_completion: {
      type: 'redirect',
      redirect: {
        url: 'https://courtside.example/checkout/thanks?session_id={CHECKOUT_SESSION_ID}',
      },
    },
    inactive_message: 'This item is paid.',
  };
  const link = await stripe.paymentLinks.create(linkParams, {
    idempotencyKey: `contract:link:${runId}`,
  });
  const replay = await stripe.paymentLinks.create(linkParams, {
    idempotencyKey: `contract:link:${runId}`,
  });
  results.push({
    name: 'payment link',
    relied: {
      id: prefix(link.id),
      url: typeof link.url,
      active: link.active,
      metadata: link.metadata,
      restrictions: link.restrictions,
      after_completion: link.after_completion,
      replayed_same_link: replay.id === link.id,
    },
  });

  const reuse = await stripe.paymentLinks
    .create(
      { ...linkParams, inactive_message: 'Other' },
      { idempotencyKey: `contract:link:${runId}` },
    )
    .then(
      () => 'accepted',
      (error: Stripe.errors.StripeError) => error.rawType,
    );
  results.push({ name: 'idempotency key reused with other parameters', relied: reuse });

  const deactivated = await stripe.paymentLinks.update(
    link.id,
    { active: false },
    { idempotencyKey: `contract:deactivate:${runId}` },
  );
  const fetched = await stripe.paymentLinks.retrieve(link.id);
  results.push({
    name: 'deactivated link',
    relied: { active: deactivated.active, fetched_active: fetched.active },
  });

  const tooLate = await stripe.checkout.sessions
    .create({
      mode: 'payment',
      line_items: [{ price: price.id, quantity: 1 }],
      success_url: 'https://courtside.example/thanks',
      expires_at: Math.floor(Date.now() / 1000) + 25 * 3600,
    })
    .then(
      () => ({ accepted: true }),
      (error: Stripe.errors.StripeError) => ({ type: error.rawType, param: error.param }),
    );
  results.push({ name: 'checkout session expiring after 24 h', relied: tooLate });

  const unknown = await stripe.products
    .create({ name: 'x', colour: 'red' } as Stripe.ProductCreateParams)
    .then(
      () => ({ accepted: true }),
      (error: Stripe.errors.StripeError) => ({
        type: error.rawType,
        code: error.code,
        param: error.param,
      }),
    );
  results.push({ name: 'unknown parameter', relied: unknown });

  const events = await stripe.events.list({ limit: 3, type: 'checkout.session.completed' });
  results.push({
    name: 'events list',
    relied: {
      object: events.object,
      data: Array.isArray(events.data),
      has_more: typeof events.has_more,
    },
  });
  return results;
}

/** What the contract expects of any Stripe, emulated or real. */
export const EXPECTED: Record<string, unknown> = {
  product: { id: 'prod_', object: 'product', metadata: { tenant_id: '1', product_id: '9' } },
  price: { id: 'price_', unit_amount: 4500, currency: 'usd', product: true },
  'idempotency key reused with other parameters': 'idempotency_error',
  'deactivated link': { active: false, fetched_active: false },
  'checkout session expiring after 24 h': { type: 'invalid_request_error', param: 'expires_at' },
  'unknown parameter': {
    type: 'invalid_request_error',
    code: 'parameter_unknown',
    param: 'colour',
  },
  'events list': { object: 'list', data: true, has_more: 'boolean' },
};
