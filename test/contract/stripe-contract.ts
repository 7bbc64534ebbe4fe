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

  results.push(...(await savedCardContract(stripe, runId, price.id)));

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

/**
 * Monthly autopay (monthly-cycle.md §2, §5): a link that makes a customer and keeps the card, a
 * customer with a saved card, an off-session charge that succeeds, one that is declined (the
 * 402 carries the PaymentIntent), a replayed key, and a detached card.
 */
async function savedCardContract(
  stripe: Stripe,
  runId: string,
  priceId: string,
): Promise<ContractResult[]> {
  const results: ContractResult[] = [];
  const metadata = {
    tenant_id: '1',
    order_id: runId,
    player_id: '7',
    product_id: '9',
    billing_period: '2026-11-01',
  };

  const monthlyLink = await stripe.paymentLinks.create(
    {
      line_items: [{ price: priceId, quantity: 1 }],
      customer_creation: 'always',
      payment_intent_data: { metadata, setup_future_usage: 'off_session' },
    },
    { idempotencyKey: `contract:monthly-link:${runId}` },
  );
  results.push({
    name: 'payment link keeping the card',
    relied: {
      customer_creation: monthlyLink.customer_creation,
      setup_future_usage: monthlyLink.payment_intent_data?.setup_future_usage,
    },
  });

  const customer = await stripe.customers.create(
    { email: 'contract@courtside.example', metadata: { tenant_id: '1', parent_id: '5' } },
    { idempotencyKey: `contract:customer:${runId}` },
  );
  const card = await stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
  results.push({
    name: 'customer with a saved card',
    relied: {
      customer: prefix(customer.id),
      email: customer.email,
      payment_method: prefix(card.id),
      attached_to: card.customer === customer.id,
      card: {
        brand: card.card?.brand,
        last4: card.card?.last4,
        exp_month: typeof card.card?.exp_month,
        exp_year: typeof card.card?.exp_year,
      },
    },
  });

  const chargeParams: Stripe.PaymentIntentCreateParams = {
    amount: 4500,
    currency: 'usd',
    customer: customer.id,
    payment_method: card.id,
    automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
    off_session: true,
    confirm: true,
    metadata,
  };
  const paid = await stripe.paymentIntents.create(chargeParams, {
    idempotencyKey: `contract:autopay:${runId}:v1`,
  });
  const paidAgain = await stripe.paymentIntents.create(chargeParams, {
    idempotencyKey: `contract:autopay:${runId}:v1`,
  });
  results.push({
    name: 'off-session charge',
    relied: {
      id: prefix(paid.id),
      status: paid.status,
      amount_received: paid.amount_received,
      customer: paid.customer === customer.id,
      payment_method: paid.payment_method === card.id,
      metadata: paid.metadata,
      latest_charge: prefix(String(paid.latest_charge)),
      replayed_same_intent: paidAgain.id === paid.id,
    },
  });

  const declined = await stripe.paymentIntents
    .create(
      {
        ...chargeParams,
        customer: undefined,
        payment_method: 'pm_card_chargeDeclinedInsufficientFunds',
      },
      { idempotencyKey: `contract:autopay-declined:${runId}:v1` },
    )
    .then(
      () => ({ accepted: true }),
      (error: Stripe.errors.StripeError) => ({
        status: error.statusCode,
        type: error.rawType,
        code: error.code,
        decline_code: error.decline_code,
        payment_intent: {
          status: error.payment_intent?.status,
          metadata: error.payment_intent?.metadata,
          last_payment_error: error.payment_intent?.last_payment_error?.decline_code,
        },
      }),
    );
  results.push({ name: 'off-session charge declined', relied: declined });

  const detached = await stripe.paymentMethods.detach(card.id);
  const afterDetach = await stripe.paymentIntents
    .create(chargeParams, { idempotencyKey: `contract:autopay:${runId}:v2` })
    .then(
      () => ({ accepted: true }),
      (error: Stripe.errors.StripeError) => ({
        status: error.statusCode,
        type: error.rawType,
        param: error.param,
      }),
    );
  results.push({
    name: 'detached card',
    relied: { customer: detached.customer, charge: afterDetach },
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
  'payment link keeping the card': {
    customer_creation: 'always',
    setup_future_usage: 'off_session',
  },
  'customer with a saved card': {
    customer: 'cus_',
    email: 'contract@courtside.example',
    payment_method: 'pm_',
    attached_to: true,
    card: { brand: 'visa', last4: '4242', exp_month: 'number', exp_year: 'number' },
  },
  'off-session charge': {
    id: 'pi_',
    status: 'succeeded',
    amount_received: 4500,
    customer: true,
    payment_method: true,
    metadata: {
      tenant_id: '1',
      order_id: expect.any(String),
      player_id: '7',
      product_id: '9',
      billing_period: '2026-11-01',
    },
    latest_charge: 'ch_',
    replayed_same_intent: true,
  },
  'off-session charge declined': {
    status: 402,
    type: 'card_error',
    code: 'card_declined',
    decline_code: 'insufficient_funds',
    payment_intent: {
      status: 'requires_payment_method',
      metadata: expect.objectContaining({ billing_period: '2026-11-01' }),
      last_payment_error: 'insufficient_funds',
    },
  },
  'detached card': {
    customer: null,
    charge: { status: 400, type: 'invalid_request_error', param: 'payment_method' },
  },
};
