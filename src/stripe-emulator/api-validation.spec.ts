import Stripe from 'stripe';
import { StripeEmulator } from './index';
import { mintLink, sdkClient } from './testing/sdk-client';

const HOUR = 60 * 60;
const now = () => Math.floor(Date.now() / 1000);

describe('Stripe emulator: parameters, errors and lists like Stripe', () => {
  let emulator: StripeEmulator;
  let stripe: Stripe;

  beforeEach(async () => {
    emulator = await StripeEmulator.start({ webhookSecret: 'whsec_spec', rateLimitPerSecond: 0 });
    stripe = sdkClient(emulator);
  });

  afterEach(() => emulator.close());

  const newPrice = (unitAmount = 12500) =>
    stripe.prices.create({
      currency: 'usd',
      unit_amount: unitAmount,
      product_data: { name: 'Fee' },
    });

  const sessionParams = async (
    extra: Partial<Stripe.Checkout.SessionCreateParams> = {},
  ): Promise<Stripe.Checkout.SessionCreateParams> => ({
    mode: 'payment',
    line_items: [{ price: (await newPrice()).id, quantity: 1 }],
    success_url: 'https://club.example/paid?session={CHECKOUT_SESSION_ID}',
    ...extra,
  });

  it('rejects an unknown top-level parameter with parameter_unknown naming it', async () => {
    const params = { name: 'Jersey', colour: 'red' } as Stripe.ProductCreateParams;
    const attempt = stripe.products.create(params);

    await expect(attempt).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(attempt).rejects.toMatchObject({
      statusCode: 400,
      code: 'parameter_unknown',
      param: 'colour',
      message: 'Received unknown parameter: colour',
      doc_url: 'https://stripe.com/docs/error-codes/parameter-unknown',
    });
    expect((await stripe.products.list()).data).toHaveLength(0);
  });

  it('rejects an unknown nested parameter, naming its full bracketed path', async () => {
    const price = await newPrice();
    const lineItem = { price: price.id, quantity: 1, colour: 'red' };
    const attempt = stripe.paymentLinks.create({
      line_items: [lineItem as Stripe.PaymentLinkCreateParams.LineItem],
    });

    await expect(attempt).rejects.toMatchObject({
      code: 'parameter_unknown',
      param: 'line_items[0][colour]',
    });
    await expect(
      stripe.paymentLinks.create({
        line_items: [{ price: price.id, quantity: 1 }],
        restrictions: { completed_sessions: { limit: 1, per: 'day' } } as never,
      }),
    ).rejects.toMatchObject({ param: 'restrictions[completed_sessions][per]' });
  });

  it('rejects a missing required parameter with parameter_missing naming it', async () => {
    await expect(
      stripe.paymentLinks.create({} as Stripe.PaymentLinkCreateParams),
    ).rejects.toMatchObject({ code: 'parameter_missing', param: 'line_items' });
    await expect(
      stripe.prices.create({
        unit_amount: 100,
        product_data: { name: 'x' },
      } as Stripe.PriceCreateParams),
    ).rejects.toMatchObject({ code: 'parameter_missing', param: 'currency' });
    await expect(
      stripe.paymentLinks.create({
        line_items: [{ price: (await newPrice()).id, quantity: 1 }],
        after_completion: { type: 'redirect' },
      }),
    ).rejects.toMatchObject({
      code: 'parameter_missing',
      param: 'after_completion[redirect][url]',
    });
  });

  it('rejects a negative or fractional unit_amount naming unit_amount', async () => {
    const product = await stripe.products.create({ name: 'Fee' });
    for (const unitAmount of [-1, 12.5]) {
      await expect(
        stripe.prices.create({ currency: 'usd', unit_amount: unitAmount, product: product.id }),
      ).rejects.toMatchObject({
        statusCode: 400,
        param: 'unit_amount',
        code: 'parameter_invalid_integer',
      });
    }
    await expect(stripe.prices.list()).resolves.toMatchObject({ data: [] });
  });

  it('rejects an after_completion redirect that is not a URL with url_invalid', async () => {
    await expect(
      stripe.paymentLinks.create({
        line_items: [{ price: (await newPrice()).id, quantity: 1 }],
        after_completion: { type: 'redirect', redirect: { url: 'not a url' } },
      }),
    ).rejects.toMatchObject({ code: 'url_invalid', param: 'after_completion[redirect][url]' });
  });

  it('rejects an enum value Stripe does not know, naming the parameter', async () => {
    await expect(
      stripe.paymentLinks.create({
        line_items: [{ price: (await newPrice()).id, quantity: 1 }],
        payment_intent_data: { setup_future_usage: 'sometimes' as 'off_session' },
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'payment_intent_data[setup_future_usage]' });
  });

  it('answers an unknown id in the URL with 404 resource_missing, param id', async () => {
    const attempt = stripe.paymentLinks.retrieve('plink_missing');
    await expect(attempt).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(attempt).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
      param: 'id',
      message: "No such payment_link: 'plink_missing'",
    });
  });

  it('answers an unknown id given as a parameter with 400 resource_missing naming that parameter', async () => {
    await expect(
      stripe.paymentLinks.create({ line_items: [{ price: 'price_missing', quantity: 1 }] }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'line_items[0][price]',
    });
  });

  it('rejects a Checkout Session expiring more than 24 hours ahead, naming expires_at (S3)', async () => {
    const attempt = stripe.checkout.sessions.create(
      await sessionParams({ expires_at: now() + 24 * HOUR + 60 }),
    );
    await expect(attempt).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    await expect(attempt).rejects.toMatchObject({ statusCode: 400, param: 'expires_at' });
    await expect(
      stripe.checkout.sessions.create(await sessionParams({ expires_at: now() + 30 * 24 * HOUR })),
    ).rejects.toMatchObject({ param: 'expires_at' });
    expect((await stripe.checkout.sessions.list()).data).toHaveLength(0);
  });

  it('rejects a Checkout Session expiring in under 30 minutes, naming expires_at', async () => {
    await expect(
      stripe.checkout.sessions.create(await sessionParams({ expires_at: now() + 29 * 60 })),
    ).rejects.toMatchObject({ statusCode: 400, param: 'expires_at' });
  });

  it('accepts a Checkout Session expiring exactly 24 hours ahead, and defaults to 24 hours', async () => {
    const expiresAt = now() + 24 * HOUR;
    const session = await stripe.checkout.sessions.create(
      await sessionParams({
        expires_at: expiresAt,
        metadata: { order_id: '42' },
        client_reference_id: 'order-42',
        customer_email: 'parent@example.com',
      }),
    );
    expect(session).toMatchObject({
      object: 'checkout.session',
      status: 'open',
      payment_status: 'unpaid',
      expires_at: expiresAt,
      amount_total: 12500,
      currency: 'usd',
      metadata: { order_id: '42' },
      client_reference_id: 'order-42',
      customer_email: 'parent@example.com',
      payment_link: null,
      payment_intent: null,
      livemode: false,
    });
    expect(session.id).toMatch(/^cs_test_/);
    expect(session.url).toBe(`${emulator.url}/c/pay/${session.id}`);

    const byDefault = await stripe.checkout.sessions.create(await sessionParams());
    expect(byDefault.expires_at - byDefault.created).toBe(24 * HOUR);
  });

  it('expires an open Checkout Session once; expiring it again is a 400', async () => {
    const session = await stripe.checkout.sessions.create(await sessionParams());
    const expired = await stripe.checkout.sessions.expire(session.id);
    expect(expired).toMatchObject({ status: 'expired', url: null });
    await expect(stripe.checkout.sessions.expire(session.id)).rejects.toMatchObject({
      statusCode: 400,
    });
    expect(emulator.events.map((event) => event.type)).toEqual(['checkout.session.expired']);
  });

  it('requires a test-mode secret key: none, or a live one, is a 401 with Stripe error body', async () => {
    const live = sdkClient(emulator, { key: 'sk_live_abcdefghijklmnop' });
    await expect(live.products.list()).rejects.toBeInstanceOf(
      Stripe.errors.StripeAuthenticationError,
    );

    const response = await fetch(`${emulator.url}/v1/products`);
    expect(response.status).toBe(401);
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(body.error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.any(String),
    });
  });

  it('answers errors in Stripe exact body shape, with Request-Id and Stripe-Version headers', async () => {
    const response = await fetch(`${emulator.url}/v1/products`, {
      method: 'POST',
      headers: {
        Authorization: 'Bearer sk_test_raw',
        'Content-Type': 'application/x-www-form-urlencoded',
        'Stripe-Version': '2026-10-28.endive',
      },
      body: 'name=Jersey&line_items[0][colour]=red',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('request-id')).toMatch(/^req_/);
    expect(response.headers.get('stripe-version')).toBe('2026-10-28.endive');
    expect(await response.json()).toEqual({
      error: {
        type: 'invalid_request_error',
        code: 'parameter_unknown',
        param: 'line_items',
        message: 'Received unknown parameter: line_items',
        doc_url: 'https://stripe.com/docs/error-codes/parameter-unknown',
      },
    });
  });

  it('answers an unrecognised URL with 404, as Stripe does', async () => {
    const response = await fetch(`${emulator.url}/v1/payment_links/plink_1`, {
      method: 'DELETE',
      headers: { Authorization: 'Bearer sk_test_raw' },
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      error: {
        type: 'invalid_request_error',
        message: expect.stringMatching(/^Unrecognized request URL/),
      },
    });
  });

  it('returns objects with Stripe ids, livemode false, metadata, and the link url', async () => {
    const link = await mintLink(stripe, {
      after_completion: {
        type: 'redirect',
        redirect: { url: 'https://club.example/thanks?session_id={CHECKOUT_SESSION_ID}' },
      },
      inactive_message: 'Already paid — thank you!',
      payment_method_types: ['card', 'us_bank_account'],
    });
    expect(link).toMatchObject({
      object: 'payment_link',
      active: true,
      livemode: false,
      currency: 'usd',
      metadata: { tenant_id: 't1', order_id: '42', player_id: '7', product_id: '3' },
      payment_intent_data: {
        metadata: expect.objectContaining({ via: 'pi' }),
        setup_future_usage: null,
      },
      restrictions: { completed_sessions: { count: 0, limit: 1 } },
      after_completion: {
        type: 'redirect',
        redirect: { url: 'https://club.example/thanks?session_id={CHECKOUT_SESSION_ID}' },
      },
      inactive_message: 'Already paid — thank you!',
      payment_method_types: ['card', 'us_bank_account'],
      url: `${emulator.url}/b/${link.id}`,
    });
    expect(link.id).toMatch(/^plink_/);
    expect(link.line_items).toBeUndefined();

    const [item] = (await stripe.paymentLinks.listLineItems(link.id)).data;
    expect(item).toMatchObject({
      object: 'item',
      amount_total: 12500,
      quantity: 1,
      description: 'Spring season fee',
    });
    expect(item.price?.id).toMatch(/^price_/);
    expect(item.price?.product).toMatch(/^prod_/);
  });

  it('updates a payment link: deactivates it, merges metadata, sets inactive_message', async () => {
    const link = await mintLink(stripe);
    const updated = await stripe.paymentLinks.update(link.id, {
      active: false,
      metadata: { note: 'paid elsewhere', player_id: '' },
      inactive_message: 'This fee was paid.',
    });
    expect(updated).toMatchObject({ active: false, inactive_message: 'This fee was paid.' });
    expect(updated.metadata).toEqual({
      tenant_id: 't1',
      order_id: '42',
      product_id: '3',
      note: 'paid elsewhere',
    });
    expect(await stripe.paymentLinks.retrieve(link.id)).toMatchObject({ active: false });

    const listed = await stripe.paymentLinks.list({ active: false });
    expect(listed.data.map((l) => l.id)).toEqual([link.id]);
    await expect(stripe.paymentLinks.list({ active: true })).resolves.toMatchObject({ data: [] });
  });

  it('lists newest first and pages with limit, starting_after and ending_before', async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await stripe.products.create({ name: `P${i}` })).id);
    const newestFirst = [...created].reverse();

    const first = await stripe.products.list({ limit: 2 });
    expect(first).toMatchObject({ object: 'list', has_more: true, url: '/v1/products' });
    expect(first.data.map((p) => p.id)).toEqual(newestFirst.slice(0, 2));

    const second = await stripe.products.list({ limit: 2, starting_after: newestFirst[1] });
    expect(second.data.map((p) => p.id)).toEqual(newestFirst.slice(2, 4));
    const last = await stripe.products.list({ limit: 2, starting_after: newestFirst[3] });
    expect(last).toMatchObject({ has_more: false });
    expect(last.data.map((p) => p.id)).toEqual([newestFirst[4]]);

    const before = await stripe.products.list({ limit: 2, ending_before: newestFirst[4] });
    expect(before.data.map((p) => p.id)).toEqual(newestFirst.slice(2, 4));
    expect(before.has_more).toBe(true);

    const all: string[] = [];
    for await (const product of stripe.products.list({ limit: 2 })) all.push(product.id);
    expect(all).toEqual(newestFirst);

    await expect(stripe.products.list({ limit: 101 })).rejects.toMatchObject({ param: 'limit' });
  });

  it('filters prices by product, lookup_keys and active; a lookup key moves only with transfer_lookup_key', async () => {
    const product = await stripe.products.create({ name: 'Monthly' });
    const tier1 = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 9000,
      product: product.id,
      lookup_key: 'monthly-9000',
      metadata: { product_id: '3' },
    });
    await stripe.prices.create({
      currency: 'usd',
      unit_amount: 4500,
      product: product.id,
      active: false,
    });
    await newPrice(100);

    expect((await stripe.prices.list({ product: product.id })).data).toHaveLength(2);
    expect(
      (await stripe.prices.list({ product: product.id, active: true })).data.map((p) => p.id),
    ).toEqual([tier1.id]);
    const byLookupKey = (await stripe.prices.list({ lookup_keys: ['monthly-9000'] })).data;
    expect(byLookupKey).toEqual([
      expect.objectContaining({ id: tier1.id, unit_amount: 9000, type: 'one_time', active: true }),
    ]);
    // Stripe sends the decimal as a string; the SDK turns it into its Decimal type.
    expect(String(byLookupKey[0].unit_amount_decimal)).toBe('9000');

    const taken = stripe.prices.create({
      currency: 'usd',
      unit_amount: 9500,
      product: product.id,
      lookup_key: 'monthly-9000',
    });
    await expect(taken).rejects.toMatchObject({ statusCode: 400, param: 'lookup_key' });
    const moved = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 9500,
      product: product.id,
      lookup_key: 'monthly-9000',
      transfer_lookup_key: true,
    });
    expect(
      (await stripe.prices.list({ lookup_keys: ['monthly-9000'] })).data.map((p) => p.id),
    ).toEqual([moved.id]);
  });

  it('expands referenced objects on request', async () => {
    const link = await mintLink(stripe);
    const paid = await emulator.pay(link.id);
    const session = await stripe.checkout.sessions.retrieve(paid.id, {
      expand: ['payment_intent.latest_charge', 'line_items'],
    });
    const paymentIntent = session.payment_intent as Stripe.PaymentIntent;
    expect(paymentIntent.object).toBe('payment_intent');
    expect((paymentIntent.latest_charge as Stripe.Charge).object).toBe('charge');
    expect(session.line_items?.data[0]).toMatchObject({ amount_total: 12500 });

    const listed = await stripe.checkout.sessions.list({
      payment_link: link.id,
      expand: ['data.payment_intent'],
    });
    expect((listed.data[0].payment_intent as Stripe.PaymentIntent).id).toBe(paymentIntent.id);
    await expect(
      stripe.checkout.sessions.retrieve(paid.id, { expand: ['currency'] }),
    ).rejects.toMatchObject({ statusCode: 400 });
  });
});
