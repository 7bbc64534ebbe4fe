import Stripe from 'stripe';
import { StripeEmulator, type CheckoutSession, type StripeEvent } from './index';
import { mintLink, sdkClient } from './testing/sdk-client';
import { WebhookReceiver } from './testing/webhook-receiver';

const SECRET = 'whsec_payments_spec';

describe('Stripe emulator: payments, refunds, disputes and their webhooks', () => {
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

  /** Every delivered event, verified the way Courtside verifies it. */
  const delivered = async (): Promise<Stripe.Event[]> => {
    await emulator.waitForDeliveries();
    return receiver.received.map((webhook) =>
      stripe.webhooks.constructEvent(webhook.body, webhook.signature ?? '', SECRET),
    );
  };

  const types = (events: ReadonlyArray<{ type: string }>) => events.map((event) => event.type);

  it('a card payment delivers a signed checkout.session.completed that constructEvent accepts', async () => {
    const link = await mintLink(stripe);
    const session = await emulator.pay(link.id, { email: 'parent@example.com' });

    const events = await delivered();
    expect(types(events)).toEqual(['payment_intent.succeeded', 'checkout.session.completed']);
    expect(receiver.received[1].contentType).toMatch(/^application\/json/);
    expect(receiver.received[1].signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    const completed = events[1];
    expect(completed).toMatchObject({
      object: 'event',
      api_version: Stripe.API_VERSION,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
    });
    expect(completed.id).toMatch(/^evt_/);
    const object = completed.data.object as Stripe.Checkout.Session;
    expect(object).toMatchObject({
      id: session.id,
      status: 'complete',
      payment_status: 'paid',
      payment_link: link.id,
      amount_total: 12500,
      currency: 'usd',
      customer_details: expect.objectContaining({ email: 'parent@example.com' }),
      url: null,
    });
    expect(object.metadata).toEqual(link.metadata);
    expect(emulator.deliveries.map((d) => d.status)).toEqual([200, 200]);
  });

  it('the PaymentIntent carries payment_intent_data metadata, not the link metadata, and the charge none', async () => {
    const link = await mintLink(stripe, {
      metadata: { order_id: '42', from: 'link' },
      payment_intent_data: {
        metadata: { order_id: '42', from: 'payment_intent_data' },
        setup_future_usage: 'off_session',
      },
    });
    const session = await emulator.pay(link.id);

    const paymentIntent = await stripe.paymentIntents.retrieve(session.payment_intent ?? '');
    expect(paymentIntent).toMatchObject({
      status: 'succeeded',
      amount: 12500,
      amount_received: 12500,
      currency: 'usd',
      setup_future_usage: 'off_session',
      metadata: { order_id: '42', from: 'payment_intent_data' },
    });
    expect(paymentIntent.latest_charge).toMatch(/^ch_/);
    const charge = await stripe.charges.retrieve(paymentIntent.latest_charge as string);
    expect(charge).toMatchObject({
      payment_intent: paymentIntent.id,
      amount: 12500,
      metadata: {},
      paid: true,
    });
    expect(session.metadata).toEqual({ order_id: '42', from: 'link' });
  });

  it('a link limited to one completed session deactivates after it, yet a session opened before still completes (W9)', async () => {
    const link = await mintLink(stripe);
    const first = await emulator.openSession(link.id);
    const second = await emulator.openSession(link.id);

    await emulator.completeSession(first.id);
    expect(await stripe.paymentLinks.retrieve(link.id)).toMatchObject({ active: false });
    await expect(emulator.openSession(link.id)).rejects.toThrow(/no longer active/);

    const late = await emulator.completeSession(second.id);
    expect(late).toMatchObject({
      status: 'complete',
      payment_status: 'paid',
      payment_link: link.id,
    });
    expect(late.payment_intent).not.toBe(
      (await stripe.checkout.sessions.retrieve(first.id)).payment_intent,
    );

    const completed = (await delivered()).filter(
      (event) => event.type === 'checkout.session.completed',
    );
    expect(completed.map((event) => (event.data.object as CheckoutSession).id)).toEqual([
      first.id,
      second.id,
    ]);
    const sessions = await stripe.checkout.sessions.list({
      payment_link: link.id,
      status: 'complete',
    });
    expect(sessions.data).toHaveLength(2);
    expect((await stripe.paymentLinks.retrieve(link.id)).restrictions).toEqual({
      completed_sessions: { count: 2, limit: 1 },
    });
  });

  it('a bank debit completes unpaid, then settling succeeded emits payment_intent.succeeded and async_payment_succeeded (W8)', async () => {
    const link = await mintLink(stripe);
    const session = await emulator.pay(link.id, { method: 'bank_debit' });
    expect(session).toMatchObject({ status: 'complete', payment_status: 'unpaid' });
    expect(await stripe.paymentIntents.retrieve(session.payment_intent ?? '')).toMatchObject({
      status: 'processing',
      amount_received: 0,
    });
    expect(types(await delivered())).toEqual(['checkout.session.completed']);

    await emulator.settleBankDebit(session.id, 'succeeded');
    const events = await delivered();
    expect(types(events)).toEqual([
      'checkout.session.completed',
      'payment_intent.succeeded',
      'checkout.session.async_payment_succeeded',
    ]);
    expect(events[2].data.object).toMatchObject({ id: session.id, payment_status: 'paid' });
    await expect(emulator.settleBankDebit(session.id, 'failed')).rejects.toThrow(
      /no bank debit waiting/,
    );
  });

  it('a bank debit that fails emits async_payment_failed and leaves the session unpaid (W8)', async () => {
    const link = await mintLink(stripe);
    const session = await emulator.pay(link.id, { method: 'bank_debit' });
    await emulator.settleBankDebit(session.id, 'failed');

    const events = await delivered();
    expect(types(events)).toEqual([
      'checkout.session.completed',
      'checkout.session.async_payment_failed',
    ]);
    expect(events[1].data.object).toMatchObject({
      id: session.id,
      status: 'complete',
      payment_status: 'unpaid',
    });
    expect(await stripe.paymentIntents.retrieve(session.payment_intent ?? '')).toMatchObject({
      status: 'requires_payment_method',
    });
    await expect(
      stripe.refunds.create({ payment_intent: session.payment_intent ?? '' }),
    ).rejects.toMatchObject({
      statusCode: 400,
    });
  });

  it('two partial refunds emit charge.refunded with the cumulative amount_refunded; refunding more is refused (W11)', async () => {
    const link = await mintLink(stripe);
    const session = await emulator.pay(link.id);
    const paymentIntent = session.payment_intent ?? '';

    const first = await stripe.refunds.create(
      {
        payment_intent: paymentIntent,
        amount: 5000,
        reason: 'requested_by_customer',
        metadata: { order_id: '42' },
      },
      { idempotencyKey: 'refund:cs:1' },
    );
    expect(first).toMatchObject({
      object: 'refund',
      amount: 5000,
      currency: 'usd',
      payment_intent: paymentIntent,
      status: 'succeeded',
      metadata: { order_id: '42' },
    });
    expect(first.id).toMatch(/^re_/);
    await expect(
      stripe.refunds.create({ payment_intent: paymentIntent, amount: 7501 }),
    ).rejects.toMatchObject({
      statusCode: 400,
      code: 'amount_too_large',
      param: 'amount',
    });
    const second = await stripe.refunds.create({ payment_intent: paymentIntent });
    expect(second.amount).toBe(7500);

    const refunded = (await delivered()).filter((event) => event.type === 'charge.refunded');
    expect(refunded.map((event) => event.data.object)).toEqual([
      expect.objectContaining({
        object: 'charge',
        payment_intent: paymentIntent,
        amount: 12500,
        amount_refunded: 5000,
        refunded: false,
        metadata: {},
      }),
      expect.objectContaining({ amount_refunded: 12500, refunded: true }),
    ]);
    expect(refunded[0].data.previous_attributes).toEqual({ amount_refunded: 0 });
    expect(refunded[0].request).toEqual({
      id: first.lastResponse.requestId,
      idempotency_key: 'refund:cs:1',
    });

    await expect(
      stripe.refunds.create({ payment_intent: paymentIntent, amount: 1 }),
    ).rejects.toMatchObject({
      code: 'charge_already_refunded',
    });
  });

  it('a dispute emits charge.dispute.created for the payment charge (W11)', async () => {
    const link = await mintLink(stripe);
    const session = await emulator.pay(link.id);
    await emulator.dispute(session.payment_intent ?? '');

    const [dispute] = (await delivered()).filter(
      (event) => event.type === 'charge.dispute.created',
    );
    const paymentIntent = await stripe.paymentIntents.retrieve(session.payment_intent ?? '');
    expect(dispute.data.object).toMatchObject({
      object: 'dispute',
      payment_intent: paymentIntent.id,
      charge: paymentIntent.latest_charge,
      amount: 12500,
      currency: 'usd',
      status: 'needs_response',
    });
    await expect(emulator.dispute(paymentIntent.id)).rejects.toThrow(/already disputed/);
  });

  it('expiring a session emits checkout.session.expired; an expired session cannot be paid', async () => {
    const link = await mintLink(stripe);
    const session = await emulator.openSession(link.id);
    expect(session.url).toBe(`${emulator.url}/c/pay/${session.id}`);
    await emulator.expireSession(session.id);

    const [expired] = await delivered();
    expect(expired).toMatchObject({ type: 'checkout.session.expired' });
    expect(expired.data.object).toMatchObject({
      id: session.id,
      status: 'expired',
      url: null,
      metadata: link.metadata,
    });
    await expect(emulator.completeSession(session.id)).rejects.toThrow(
      /only an open session can be paid/,
    );
  });

  it('a session left open past expires_at is expired when next read, with checkout.session.expired', async () => {
    const link = await mintLink(stripe);
    const session = await emulator.openSession(link.id);
    jest.useFakeTimers({
      doNotFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'nextTick', 'queueMicrotask'],
    });
    try {
      jest.setSystemTime((session.expires_at + 1) * 1000);
      expect(await stripe.checkout.sessions.retrieve(session.id)).toMatchObject({
        status: 'expired',
        url: null,
      });
    } finally {
      jest.useRealTimers();
    }
    const [expired] = await delivered();
    expect(expired).toMatchObject({ type: 'checkout.session.expired', request: { id: null } });
  });

  it('lists events newest first, filtered by type, types[] and created, page by page', async () => {
    const link = await mintLink(stripe, { restrictions: undefined });
    const card = await emulator.pay(link.id);
    await emulator.pay(link.id, { method: 'bank_debit' });
    await stripe.refunds.create({ payment_intent: card.payment_intent ?? '', amount: 100 });

    const all = (await stripe.events.list()).data;
    expect(types(all)).toEqual([
      'charge.refunded',
      'checkout.session.completed',
      'checkout.session.completed',
      'payment_intent.succeeded',
    ]);
    expect(all.map((event) => event.id)).toEqual(
      [...emulator.events].reverse().map((event) => event.id),
    );

    expect(
      types((await stripe.events.list({ type: 'checkout.session.completed' })).data),
    ).toHaveLength(2);
    expect(types((await stripe.events.list({ type: 'checkout.session.*' })).data)).toHaveLength(2);
    expect(
      types(
        (await stripe.events.list({ types: ['charge.refunded', 'payment_intent.succeeded'] })).data,
      ),
    ).toEqual(['charge.refunded', 'payment_intent.succeeded']);
    const created = all[0].created;
    expect((await stripe.events.list({ created: { gt: created } })).data).toHaveLength(0);
    expect(
      (await stripe.events.list({ created: { gte: created - 60, lte: created } })).data,
    ).toHaveLength(4);

    const page1 = await stripe.events.list({ limit: 3 });
    const page2 = await stripe.events.list({ limit: 3, starting_after: page1.data[2].id });
    expect(page1.has_more).toBe(true);
    expect(page2).toMatchObject({ has_more: false });
    expect(page2.data.map((event) => event.id)).toEqual([all[3].id]);
    expect(await stripe.events.retrieve(all[0].id)).toMatchObject({
      id: all[0].id,
      type: 'charge.refunded',
    });
  });

  it('retries a failing endpoint with the same event and a fresh signature, keeping creation order', async () => {
    receiver.respond = (index) => (index < 2 ? 500 : 200);
    const link = await mintLink(stripe);
    await emulator.pay(link.id);
    await emulator.waitForDeliveries();

    const [first, second] = emulator.events;
    expect(emulator.deliveries.map((d) => [d.eventId, d.status])).toEqual([
      [first.id, 500],
      [first.id, 500],
      [first.id, 200],
      [second.id, 200],
    ]);
    const bodies = receiver.received.map((webhook) => webhook.body);
    expect(new Set(bodies.slice(0, 3)).size).toBe(1);
    for (const webhook of receiver.received) {
      expect(() =>
        stripe.webhooks.constructEvent(webhook.body, webhook.signature ?? '', SECRET),
      ).not.toThrow();
    }
  });

  it('gives up after the configured attempts and records an unreachable endpoint as error', async () => {
    emulator.setWebhookUrl('http://127.0.0.1:1/unreachable');
    const link = await mintLink(stripe);
    await emulator.pay(link.id, { method: 'bank_debit' });
    await emulator.waitForDeliveries();
    expect(emulator.deliveries.map((d) => d.status)).toEqual(['error', 'error', 'error']);
  });

  it('redeliver posts the same bytes again, re-signed, and returns the endpoint status (W1, W2)', async () => {
    const link = await mintLink(stripe);
    await emulator.pay(link.id);
    await emulator.waitForDeliveries();
    const completed = emulator.events.find(
      (event) => event.type === 'checkout.session.completed',
    ) as StripeEvent;

    const statuses = await Promise.all(
      Array.from({ length: 5 }, () => emulator.redeliver(completed.id)),
    );
    expect(statuses).toEqual([200, 200, 200, 200, 200]);
    const copies = receiver.received.filter(
      (webhook) => JSON.parse(webhook.body).id === completed.id,
    );
    expect(copies).toHaveLength(6);
    expect(new Set(copies.map((webhook) => webhook.body)).size).toBe(1);
    await expect(emulator.redeliver('evt_missing')).rejects.toThrow(/No such event/);
  });

  it('keeps events made before a webhook URL exists, without delivering them', async () => {
    const quiet = await StripeEmulator.start({ webhookSecret: SECRET, rateLimitPerSecond: 0 });
    try {
      const quietStripe = sdkClient(quiet);
      const link = await mintLink(quietStripe);
      await quiet.pay(link.id);
      await quiet.waitForDeliveries();
      expect(quiet.deliveries).toHaveLength(0);
      expect(quiet.events.map((event) => event.pending_webhooks)).toEqual([0, 0]);
      expect((await quietStripe.events.list()).data).toHaveLength(2);
    } finally {
      await quiet.close();
    }
  });
});
