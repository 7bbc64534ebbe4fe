import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import { StripeEmulator, type TestCardToken } from './index';
import { mintLink, sdkClient } from './testing/sdk-client';
import { WebhookReceiver } from './testing/webhook-receiver';

const SECRET = 'whsec_saved_cards_spec';

const AUTOPAY_METADATA = {
  tenant_id: 't1',
  order_id: '43',
  player_id: '7',
  product_id: '3',
  billing_period: '2026-11-01',
};

describe('Stripe emulator: customers, saved cards and off-session PaymentIntents (autopay)', () => {
  let emulator: StripeEmulator;
  let receiver: WebhookReceiver;
  let stripe: Stripe;

  beforeEach(async () => {
    receiver = await WebhookReceiver.start();
    emulator = await StripeEmulator.start({
      webhookSecret: SECRET,
      webhookUrl: receiver.url,
      rateLimitPerSecond: 0,
      webhookRetryDelayMs: 20,
    });
    stripe = sdkClient(emulator);
  });

  afterEach(async () => {
    await emulator.close();
    await receiver.close();
  });

  const delivered = async (): Promise<Stripe.Event[]> => {
    await emulator.waitForDeliveries();
    return receiver.received.map((webhook) =>
      stripe.webhooks.constructEvent(webhook.body, webhook.signature ?? '', SECRET),
    );
  };

  /** A customer with a test card attached, as the first-payment link leaves one. */
  const customerWithCard = async (card: TestCardToken = 'pm_card_visa') => {
    const customer = await stripe.customers.create({ email: 'parent@example.com' });
    const paymentMethod = await stripe.paymentMethods.attach(card, { customer: customer.id });
    return { customer, paymentMethod };
  };

  const chargeOffSession = (
    customer: string,
    paymentMethod: string,
    idempotencyKey = 'autopay:t1:43:v1',
  ) =>
    stripe.paymentIntents.create(
      {
        amount: 9000,
        currency: 'usd',
        customer,
        payment_method: paymentMethod,
        off_session: true,
        confirm: true,
        metadata: AUTOPAY_METADATA,
      },
      { idempotencyKey },
    );

  it('creates a customer, attaches pm_card_visa as a new card PaymentMethod, retrieves and lists it', async () => {
    const { customer, paymentMethod } = await customerWithCard();
    expect(customer).toMatchObject({
      object: 'customer',
      email: 'parent@example.com',
      livemode: false,
      invoice_settings: { default_payment_method: null },
    });
    expect(customer.id).toMatch(/^cus_/);
    expect(paymentMethod.id).toMatch(/^pm_(?!card_)/);
    expect(paymentMethod).toMatchObject({
      object: 'payment_method',
      type: 'card',
      customer: customer.id,
      card: { brand: 'visa', last4: '4242', exp_month: 12, funding: 'credit', country: 'US' },
    });
    expect(paymentMethod.card!.exp_year).toBeGreaterThan(new Date().getUTCFullYear());

    await expect(stripe.customers.retrieve(customer.id)).resolves.toMatchObject({
      id: customer.id,
    });
    await expect(stripe.paymentMethods.retrieve(paymentMethod.id)).resolves.toMatchObject({
      id: paymentMethod.id,
      customer: customer.id,
    });
    const listed = await stripe.customers.listPaymentMethods(customer.id, { type: 'card' });
    expect(listed.data.map((method) => method.id)).toEqual([paymentMethod.id]);
    const viaList = await stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
    expect(viaList.data.map((method) => method.id)).toEqual([paymentMethod.id]);

    const declining = await stripe.paymentMethods.attach(
      'pm_card_chargeDeclinedInsufficientFunds',
      {
        customer: customer.id,
      },
    );
    expect(declining.card).toMatchObject({ brand: 'visa', last4: '9995' });
  });

  it('validates like Stripe: unknown parameters, a missing customer, an unknown PaymentMethod', async () => {
    await expect(
      stripe.customers.create({ email: 'a@example.com', colour: 'red' } as never),
    ).rejects.toMatchObject({ statusCode: 400, code: 'parameter_unknown', param: 'colour' });
    await expect(stripe.customers.retrieve('cus_missing')).rejects.toMatchObject({
      statusCode: 404,
      code: 'resource_missing',
    });
    await expect(
      stripe.paymentIntents.create({
        amount: 9000,
        currency: 'usd',
        customer: 'cus_missing',
        payment_method: 'pm_card_visa',
        off_session: true,
        confirm: true,
      }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'resource_missing', param: 'customer' });
    const { customer } = await customerWithCard();
    await expect(chargeOffSession(customer.id, 'pm_nope', 'k-missing')).rejects.toMatchObject({
      statusCode: 400,
      code: 'resource_missing',
      param: 'payment_method',
    });
    await expect(
      stripe.paymentIntents.create({
        amount: 9000,
        currency: 'usd',
        payment_method: 'pm_card_visa',
        off_session: true,
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'off_session' });
    await expect(
      stripe.paymentIntents.create({
        amount: 9000,
        currency: 'usd',
        customer: customer.id,
        payment_method: 'pm_card_visa',
        confirm: true,
        payment_method_types: ['card'],
      } as Stripe.PaymentIntentCreateParams),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'parameter_unknown',
      param: 'payment_method_types',
    });
    await expect(
      stripe.paymentIntents.create({ amount: 20, currency: 'usd' }),
    ).rejects.toMatchObject({ statusCode: 400, code: 'amount_too_small', param: 'amount' });
    await expect(stripe.paymentMethods.attach('pm_card_visa', {} as never)).rejects.toMatchObject({
      statusCode: 400,
      code: 'parameter_missing',
      param: 'customer',
    });
    const other = await stripe.customers.create({});
    const { paymentMethod } = await customerWithCard();
    await expect(chargeOffSession(other.id, paymentMethod.id, 'k-other')).rejects.toMatchObject({
      statusCode: 400,
      code: 'payment_method_unexpected_state',
    });
  });

  it('charges the saved visa off-session: succeeded with a charge, and payment_intent.succeeded carries the metadata', async () => {
    const { customer, paymentMethod } = await customerWithCard();
    const paymentIntent = await chargeOffSession(customer.id, paymentMethod.id);
    expect(paymentIntent).toMatchObject({
      object: 'payment_intent',
      status: 'succeeded',
      amount: 9000,
      amount_received: 9000,
      currency: 'usd',
      customer: customer.id,
      payment_method: paymentMethod.id,
      metadata: AUTOPAY_METADATA,
      last_payment_error: null,
    });
    const charge = await stripe.charges.retrieve(paymentIntent.latest_charge as string);
    expect(charge).toMatchObject({
      status: 'succeeded',
      paid: true,
      amount: 9000,
      customer: customer.id,
      payment_intent: paymentIntent.id,
      payment_method: paymentMethod.id,
      payment_method_details: { type: 'card', card: { brand: 'visa', last4: '4242' } },
    });

    const events = await delivered();
    expect(events.map((event) => event.type)).toEqual(['payment_intent.succeeded']);
    expect(events[0].data.object).toMatchObject({
      id: paymentIntent.id,
      status: 'succeeded',
      metadata: AUTOPAY_METADATA,
    });
    expect(events[0].request?.idempotency_key).toBe('autopay:t1:43:v1');
  });

  it.each([
    ['pm_card_chargeDeclined', 'card_declined', 'generic_decline', 'requires_payment_method'],
    [
      'pm_card_chargeDeclinedInsufficientFunds',
      'card_declined',
      'insufficient_funds',
      'requires_payment_method',
    ],
    [
      'pm_card_chargeDeclinedExpiredCard',
      'expired_card',
      'expired_card',
      'requires_payment_method',
    ],
    [
      'pm_card_authenticationRequired',
      'authentication_required',
      'authentication_required',
      'requires_payment_method',
    ],
  ] as const)(
    '%s off-session: 402 card_error %s (%s) with the PaymentIntent %s, and payment_intent.payment_failed',
    async (card, code, declineCode, status) => {
      const { customer, paymentMethod } = await customerWithCard(card);
      const error = (await chargeOffSession(customer.id, paymentMethod.id).catch(
        (caught: unknown) => caught,
      )) as Stripe.errors.StripeCardError;
      expect(error).toBeInstanceOf(Stripe.errors.StripeCardError);
      expect(error).toMatchObject({ statusCode: 402, type: 'StripeCardError', code });
      expect(error.decline_code).toBe(declineCode);
      const paymentIntent = error.payment_intent!;
      expect(paymentIntent).toMatchObject({
        object: 'payment_intent',
        status,
        customer: customer.id,
        amount_received: 0,
        metadata: AUTOPAY_METADATA,
        last_payment_error: { type: 'card_error', code, decline_code: declineCode },
      });
      expect(paymentIntent.last_payment_error!.payment_method!.id).toBe(paymentMethod.id);
      expect(error.raw).toMatchObject({ charge: paymentIntent.latest_charge });
      await expect(
        stripe.charges.retrieve(paymentIntent.latest_charge as string),
      ).resolves.toMatchObject({ status: 'failed', paid: false, failure_code: code });
      await expect(stripe.paymentIntents.retrieve(paymentIntent.id)).resolves.toMatchObject({
        status,
      });

      const events = await delivered();
      expect(events.map((event) => event.type)).toEqual(['payment_intent.payment_failed']);
      expect(events[0].data.object).toMatchObject({
        id: paymentIntent.id,
        status,
        metadata: AUTOPAY_METADATA,
        last_payment_error: { code, decline_code: declineCode },
      });
    },
  );

  it('the same idempotency key replays the answer, success or decline, and charges once', async () => {
    const { customer, paymentMethod } = await customerWithCard();
    const first = await chargeOffSession(customer.id, paymentMethod.id, 'autopay:t1:43:v1');
    const again = await chargeOffSession(customer.id, paymentMethod.id, 'autopay:t1:43:v1');
    expect(again.id).toBe(first.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');

    const declining = await customerWithCard('pm_card_chargeDeclined');
    const errors: Stripe.errors.StripeCardError[] = [];
    for (const attempt of [1, 2]) {
      errors.push(
        (await chargeOffSession(
          declining.customer.id,
          declining.paymentMethod.id,
          'autopay:t1:44:v1',
        ).catch((caught: unknown) => caught)) as Stripe.errors.StripeCardError,
      );
      expect(errors).toHaveLength(attempt);
    }
    expect(errors.map((error) => error?.payment_intent?.id)).toEqual([
      errors[0]!.payment_intent!.id,
      errors[0]!.payment_intent!.id,
    ]);
    expect(errors.every((error) => error?.statusCode === 402)).toBe(true);

    const events = await delivered();
    expect(events.map((event) => event.type)).toEqual([
      'payment_intent.succeeded',
      'payment_intent.payment_failed',
    ]);
  });

  it('a link with customer_creation=always and setup_future_usage=off_session completes with a customer and the saved card, which then pays off-session', async () => {
    const link = await mintLink(stripe, {
      customer_creation: 'always',
      payment_intent_data: {
        metadata: { order_id: '42' },
        setup_future_usage: 'off_session',
      },
    });
    expect(link.customer_creation).toBe('always');
    const session = await emulator.pay(link.id, { email: 'parent@example.com' });
    expect(session.customer).toMatch(/^cus_/);
    expect(session.customer_creation).toBe('always');

    const retrieved = await stripe.checkout.sessions.retrieve(session.id, {
      expand: ['payment_intent'],
    });
    const paymentIntent = retrieved.payment_intent as Stripe.PaymentIntent;
    expect(paymentIntent).toMatchObject({
      customer: session.customer,
      setup_future_usage: 'off_session',
    });
    const paymentMethod = await stripe.paymentMethods.retrieve(
      paymentIntent.payment_method as string,
    );
    expect(paymentMethod).toMatchObject({
      customer: session.customer,
      card: { brand: 'visa', last4: '4242' },
    });
    await expect(stripe.customers.retrieve(session.customer!)).resolves.toMatchObject({
      email: 'parent@example.com',
    });

    const completed = (await delivered()).find(
      (event) => event.type === 'checkout.session.completed',
    );
    expect(completed!.data.object).toMatchObject({ customer: session.customer });

    await expect(chargeOffSession(session.customer!, paymentMethod.id)).resolves.toMatchObject({
      status: 'succeeded',
    });
  });

  it('a session without customer_creation or setup_future_usage makes no customer; one created with customer_creation=always does', async () => {
    const guest = await emulator.pay((await mintLink(stripe)).id);
    expect(guest.customer).toBeNull();

    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 9000,
      product_data: { name: 'Monthly dues' },
    });
    const created = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: price.id, quantity: 1 }],
      customer_creation: 'always',
      success_url: 'https://club.example/paid',
    });
    expect(created.customer_creation).toBe('always');
    const completed = await emulator.completeSession(created.id);
    expect(completed.customer).toMatch(/^cus_/);
    await expect(
      stripe.checkout.sessions.create({
        mode: 'payment',
        line_items: [{ price: price.id, quantity: 1 }],
        customer_creation: 'sometimes' as never,
      }),
    ).rejects.toMatchObject({ statusCode: 400, param: 'customer_creation' });
  });

  it('a declining card on the pay page is refused with no payment, and the session stays open for another card', async () => {
    const link = await mintLink(stripe, {
      payment_intent_data: { setup_future_usage: 'off_session' },
    });
    const { id } = await emulator.openSession(link.id);
    await expect(
      emulator.completeSession(id, { card: 'pm_card_chargeDeclinedInsufficientFunds' }),
    ).rejects.toMatchObject({ status: 402, code: 'card_declined' });
    await expect(stripe.checkout.sessions.retrieve(id)).resolves.toMatchObject({
      status: 'open',
      payment_intent: null,
    });
    const paid = await emulator.completeSession(id, { card: 'pm_card_authenticationRequired' });
    expect(paid.payment_status).toBe('paid');
    const paymentIntent = await stripe.paymentIntents.retrieve(paid.payment_intent!);
    await expect(
      stripe.paymentMethods.retrieve(paymentIntent.payment_method as string),
    ).resolves.toMatchObject({ card: { last4: '3184' }, customer: paid.customer });
  });

  it('detaching the card (API or control route) emits payment_method.detached, and a later off-session charge on it is refused', async () => {
    const { customer, paymentMethod } = await customerWithCard();
    const response = await fetch(`${emulator.url}/_emulator/customers/${customer.id}/detach-card`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({}),
    });
    expect(response.status).toBe(200);
    const detached = (await response.json()) as Stripe.PaymentMethod[];
    expect(detached.map((method) => [method.id, method.customer])).toEqual([
      [paymentMethod.id, null],
    ]);
    await expect(stripe.paymentMethods.retrieve(paymentMethod.id)).resolves.toMatchObject({
      customer: null,
    });
    await expect(stripe.customers.listPaymentMethods(customer.id)).resolves.toMatchObject({
      data: [],
    });
    await expect(chargeOffSession(customer.id, paymentMethod.id)).rejects.toMatchObject({
      statusCode: 400,
      type: 'StripeInvalidRequestError',
      code: 'payment_method_unexpected_state',
      param: 'payment_method',
    });

    const second = await customerWithCard();
    await expect(stripe.paymentMethods.detach(second.paymentMethod.id)).resolves.toMatchObject({
      customer: null,
    });
    const noCard = await fetch(
      `${emulator.url}/_emulator/customers/${second.customer.id}/detach-card`,
      { method: 'POST' },
    );
    expect(noCard.status).toBe(400);

    const events = await delivered();
    expect(events.map((event) => event.type)).toEqual([
      'payment_method.detached',
      'payment_method.detached',
    ]);
    expect(events[0]).toMatchObject({
      data: {
        object: { id: paymentMethod.id, customer: null },
        previous_attributes: { customer: customer.id },
      },
      request: { id: null },
    });
    expect(events[1].request?.id).toMatch(/^req_/);
  });
});

describe('Stripe emulator with a state folder: customers and saved cards survive a restart', () => {
  let stateDir: string;
  const running: StripeEmulator[] = [];

  const start = async () => {
    const emulator = await StripeEmulator.start({ stateDir, rateLimitPerSecond: 0 });
    running.push(emulator);
    return { emulator, stripe: sdkClient(emulator) };
  };

  beforeEach(() => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'emulator-cards-'));
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((emulator) => emulator.close()));
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('keeps customers, payment methods, detachments, off-session PaymentIntents and their idempotency keys', async () => {
    const first = await start();
    const customer = await first.stripe.customers.create({ email: 'parent@example.com' });
    const visa = await first.stripe.paymentMethods.attach('pm_card_visa', {
      customer: customer.id,
    });
    const other = await first.stripe.paymentMethods.attach('pm_card_visa', {
      customer: customer.id,
    });
    await first.emulator.detachCard(customer.id, other.id);
    const params: Stripe.PaymentIntentCreateParams = {
      amount: 9000,
      currency: 'usd',
      customer: customer.id,
      payment_method: visa.id,
      off_session: true,
      confirm: true,
    };
    const paid = await first.stripe.paymentIntents.create(params, { idempotencyKey: 'autopay:1' });
    await first.emulator.close();

    const second = await start();
    await expect(second.stripe.customers.retrieve(customer.id)).resolves.toMatchObject({
      email: 'parent@example.com',
    });
    await expect(second.stripe.paymentMethods.retrieve(visa.id)).resolves.toMatchObject({
      customer: customer.id,
    });
    await expect(second.stripe.paymentIntents.retrieve(paid.id)).resolves.toMatchObject({
      status: 'succeeded',
      customer: customer.id,
    });
    const replay = await second.stripe.paymentIntents.create(params, {
      idempotencyKey: 'autopay:1',
    });
    expect(replay.id).toBe(paid.id);
    await expect(
      second.stripe.paymentIntents.create({ ...params, payment_method: other.id }),
    ).rejects.toMatchObject({ code: 'payment_method_unexpected_state' });
  });

  it('opens a state file written before customers existed', async () => {
    const first = await start();
    await first.stripe.products.create({ name: 'Monthly dues' });
    await first.emulator.close();
    const file = path.join(stateDir, 'state.json');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { account: Record<string, unknown> };
    delete saved.account.customers;
    delete saved.account.paymentMethods;
    delete saved.account.detachedPaymentMethods;
    writeFileSync(file, JSON.stringify(saved));

    const second = await start();
    const customer = await second.stripe.customers.create({ email: 'parent@example.com' });
    await expect(second.stripe.customers.retrieve(customer.id)).resolves.toMatchObject({
      email: 'parent@example.com',
    });
  });
});
