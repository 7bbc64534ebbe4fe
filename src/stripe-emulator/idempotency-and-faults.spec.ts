import { IdempotencyStore } from './reliability/idempotency-store';
import Stripe from 'stripe';
import { StripeEmulator } from './index';
import { sdkClient } from './testing/sdk-client';

describe('IdempotencyStore', () => {
  it('forgets a key after 24 hours, as Stripe does: the same key then starts afresh', () => {
    let now = Date.UTC(2026, 11, 1);
    const store = new IdempotencyStore(() => now);
    const first = store.begin('sk_test_a', 'link:1:7:v1', 'POST /v1/payment_links', { a: 1 });
    if (first.kind !== 'proceed') throw new Error(`expected proceed, got ${first.kind}`);
    first.finish({ status: 200, body: '{}', requestId: 'req_1' });
    now += 23 * 60 * 60 * 1000;
    expect(store.begin('sk_test_a', 'link:1:7:v1', 'POST /v1/payment_links', { a: 1 }).kind).toBe(
      'replay',
    );
    expect(store.saved()).toHaveLength(1);
    now += 2 * 60 * 60 * 1000;
    expect(store.saved()).toEqual([]);
    expect(store.begin('sk_test_a', 'link:1:7:v1', 'POST /v1/payment_links', { a: 2 }).kind).toBe(
      'proceed',
    );
  });
});

describe('Stripe emulator: idempotency, faults and rate limit', () => {
  let emulator: StripeEmulator;
  let stripe: Stripe;

  beforeEach(async () => {
    emulator = await StripeEmulator.start({ webhookSecret: 'whsec_spec', rateLimitPerSecond: 0 });
    stripe = sdkClient(emulator);
  });

  afterEach(() => emulator.close());

  const linkParams = async (): Promise<Stripe.PaymentLinkCreateParams> => {
    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 4000,
      product_data: { name: 'Tournament' },
    });
    return { line_items: [{ price: price.id, quantity: 1 }], metadata: { order_id: '9' } };
  };

  const linkCount = async () => (await stripe.paymentLinks.list({ limit: 100 })).data.length;

  it('replays the first response for the same key and parameters, creating one link', async () => {
    const params = await linkParams();
    const first = await stripe.paymentLinks.create(params, { idempotencyKey: 'link:t1:9:v1' });
    const second = await stripe.paymentLinks.create(params, { idempotencyKey: 'link:t1:9:v1' });

    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
    expect(await linkCount()).toBe(1);
  });

  it('refuses a key reused with other parameters or on another endpoint (StripeIdempotencyError)', async () => {
    const params = await linkParams();
    await stripe.paymentLinks.create(params, { idempotencyKey: 'key-1' });

    const otherParams = stripe.paymentLinks.create(
      { ...params, metadata: { order_id: '10' } },
      { idempotencyKey: 'key-1' },
    );
    await expect(otherParams).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    await expect(otherParams).rejects.toMatchObject({
      statusCode: 400,
      type: 'StripeIdempotencyError',
    });
    await expect(
      stripe.products.create({ name: 'Other' }, { idempotencyKey: 'key-1' }),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect(await linkCount()).toBe(1);
  });

  it('answers 409 while the first request with the same key is still running; the SDK retry then gets the replay', async () => {
    const params = await linkParams();
    emulator.injectFault({ path: '/v1/payment_links', kind: 'latency', latencyMs: 400 });
    const slow = stripe.paymentLinks.create(params, { idempotencyKey: 'concurrent' });
    await new Promise((resolve) => setTimeout(resolve, 100));

    const impatient = stripe.paymentLinks.create(params, { idempotencyKey: 'concurrent' });
    await expect(impatient).rejects.toMatchObject({
      statusCode: 409,
      code: 'idempotency_key_in_use',
    });

    const retrying = sdkClient(emulator, { maxNetworkRetries: 2 });
    const [first, retried] = await Promise.all([
      slow,
      retrying.paymentLinks.create(params, { idempotencyKey: 'concurrent' }),
    ]);
    expect(retried.id).toBe(first.id);
    expect(await linkCount()).toBe(1);
  });

  it('a 500 after the link was created: the SDK retry with the same key gets the same link, and exactly one exists (S1)', async () => {
    const params = await linkParams();
    emulator.injectFault({ method: 'POST', path: '/v1/payment_links', kind: '500', when: 'after' });

    const link = await sdkClient(emulator, { maxNetworkRetries: 1 }).paymentLinks.create(params, {
      idempotencyKey: 'link:t1:9:v1',
    });

    const attempts = emulator.requests.filter(
      (r) => r.path === '/v1/payment_links' && r.method === 'POST',
    );
    expect(attempts.map((r) => r.status)).toEqual([500, 200]);
    expect(attempts.map((r) => r.idempotencyKey)).toEqual(['link:t1:9:v1', 'link:t1:9:v1']);
    expect(await linkCount()).toBe(1);
    expect((await stripe.paymentLinks.list()).data[0].id).toBe(link.id);
  });

  it('a connection reset after the link was created: the retry gets the same link, and exactly one exists (S1)', async () => {
    const params = await linkParams();
    emulator.injectFault({ path: /^\/v1\/payment_links$/, kind: 'reset', when: 'after' });

    const link = await sdkClient(emulator, { maxNetworkRetries: 1 }).paymentLinks.create(params);

    const attempts = emulator.requests.filter(
      (r) => r.path === '/v1/payment_links' && r.method === 'POST',
    );
    expect(attempts.map((r) => r.status)).toEqual([0, 200]);
    expect(attempts[0].idempotencyKey).toBe(attempts[1].idempotencyKey);
    expect(await linkCount()).toBe(1);
    expect((await stripe.paymentLinks.list()).data[0].id).toBe(link.id);
  });

  it('a 500 before the work creates nothing, and without retries the SDK surfaces a StripeAPIError', async () => {
    const params = await linkParams();
    emulator.injectFault({ path: '/v1/payment_links', kind: '500' });

    await expect(stripe.paymentLinks.create(params)).rejects.toBeInstanceOf(
      Stripe.errors.StripeAPIError,
    );
    expect(await linkCount()).toBe(0);
    await stripe.paymentLinks.create(params);
    expect(await linkCount()).toBe(1);
  });

  it('fails only the n-th matching call when nth is given, `times` calls in a row', async () => {
    emulator.injectFault({
      method: 'GET',
      path: /^\/v1\/products$/,
      kind: '500',
      nth: 2,
      times: 2,
    });

    await expect(stripe.products.list()).resolves.toBeDefined();
    await expect(stripe.products.list()).rejects.toMatchObject({ statusCode: 500 });
    await expect(stripe.products.list()).rejects.toMatchObject({ statusCode: 500 });
    await expect(stripe.products.list()).resolves.toBeDefined();
  });

  it('with every: N, fails each N-th matching call and keeps going (a steady 1-in-N error rate)', async () => {
    emulator.injectFault({ method: 'GET', path: '/v1/products', kind: '500', every: 3 });

    const outcomes: string[] = [];
    for (let call = 1; call <= 7; call++) {
      outcomes.push(
        await stripe.products.list().then(
          () => 'ok',
          () => 'failed',
        ),
      );
    }
    expect(outcomes).toEqual(['ok', 'ok', 'failed', 'ok', 'ok', 'failed', 'ok']);
  });

  it('clearFaults disarms every pending fault', async () => {
    emulator.injectFault({ kind: '500', times: 5 });
    emulator.clearFaults();
    await expect(stripe.products.list()).resolves.toBeDefined();
  });

  it('over the rate limit answers 429 rate_limit without Stripe-Should-Retry, and the SDK does not retry it (S2)', async () => {
    emulator.setRateLimit(3);
    const retrying = sdkClient(emulator, { maxNetworkRetries: 2 });
    const results = await Promise.allSettled([1, 2, 3, 4].map(() => retrying.products.list()));

    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const rejected = results.find((r) => r.status === 'rejected');
    expect(rejected?.reason).toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(rejected?.reason).toMatchObject({ statusCode: 429, code: 'rate_limit' });
    expect(rejected?.reason.headers['stripe-should-retry']).toBeUndefined();
    expect(emulator.requests).toHaveLength(4);

    await new Promise((resolve) => setTimeout(resolve, 1000));
    await expect(retrying.products.list()).resolves.toBeDefined();
  });

  it('an injected 429 is a StripeRateLimitError and is not retried either', async () => {
    emulator.injectFault({ path: '/v1/products', kind: '429' });
    await expect(
      sdkClient(emulator, { maxNetworkRetries: 2 }).products.create({ name: 'Jersey' }),
    ).rejects.toBeInstanceOf(Stripe.errors.StripeRateLimitError);
    expect(emulator.requests).toHaveLength(1);
    expect((await stripe.products.list()).data).toHaveLength(0);
  });

  it('adds the configured latency to every API call', async () => {
    emulator.setLatency(150);
    const started = Date.now();
    await stripe.products.list();
    expect(Date.now() - started).toBeGreaterThanOrEqual(150);
  });

  it('records every API call with its decoded params, idempotency key and status', async () => {
    await stripe.products.create(
      { name: 'Jersey', metadata: { order_id: '5' } },
      { idempotencyKey: 'p-5' },
    );
    await expect(stripe.products.retrieve('prod_missing')).rejects.toMatchObject({
      statusCode: 404,
    });

    expect(emulator.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        path: '/v1/products',
        params: { name: 'Jersey', metadata: { order_id: '5' } },
        idempotencyKey: 'p-5',
        status: 200,
      }),
      expect.objectContaining({ method: 'GET', path: '/v1/products/prod_missing', status: 404 }),
    ]);
  });

  it('refuses an idempotency key longer than 255 characters', async () => {
    await expect(
      stripe.products.create({ name: 'Jersey' }, { idempotencyKey: 'k'.repeat(256) }),
    ).rejects.toMatchObject({ statusCode: 400, type: 'StripeInvalidRequestError' });
    await expect(
      stripe.products.create({ name: 'Jersey' }, { idempotencyKey: 'k'.repeat(255) }),
    ).resolves.toMatchObject({ name: 'Jersey' });
  });

  it('keeps the result of a refusal made while doing the work, but frees the key after a rejected parameter', async () => {
    await expect(
      stripe.refunds.create({ payment_intent: 'pi_missing' }, { idempotencyKey: 'refund-1' }),
    ).rejects.toMatchObject({ code: 'resource_missing', param: 'payment_intent' });
    const replay = stripe.refunds.create(
      { payment_intent: 'pi_missing' },
      { idempotencyKey: 'refund-1' },
    );
    await expect(replay).rejects.toMatchObject({
      code: 'resource_missing',
      headers: expect.objectContaining({ 'idempotent-replayed': 'true' }),
    });

    const withTypo = { name: 'Jersey', colour: 'red' } as Stripe.ProductCreateParams;
    await expect(
      stripe.products.create(withTypo, { idempotencyKey: 'product-1' }),
    ).rejects.toMatchObject({
      code: 'parameter_unknown',
    });
    await expect(
      stripe.products.create({ name: 'Jersey' }, { idempotencyKey: 'product-1' }),
    ).resolves.toMatchObject({ name: 'Jersey' });
  });
});
