import { request } from 'node:http';
import Stripe from 'stripe';
import { StripeEmulator, type CheckoutSession, type StripeEvent } from './index';
import { mintLink, sdkClient } from './testing/sdk-client';
import { WebhookReceiver } from './testing/webhook-receiver';

describe('Stripe emulator: test controls over HTTP (/_emulator)', () => {
  let emulator: StripeEmulator;
  let receiver: WebhookReceiver;
  let stripe: Stripe;

  beforeEach(async () => {
    receiver = await WebhookReceiver.start();
    emulator = await StripeEmulator.start({
      webhookSecret: 'whsec_control_spec',
      rateLimitPerSecond: 0,
    });
    stripe = sdkClient(emulator);
  });

  afterEach(async () => {
    await emulator.close();
    await receiver.close();
  });

  const control = async <T>(
    path: string,
    body?: Record<string, unknown>,
  ): Promise<{ status: number; json: T }> => {
    const response = await fetch(`${emulator.url}/_emulator/${path}`, {
      method: body ? 'POST' : 'GET',
      headers: body ? { 'Content-Type': 'application/json' } : undefined,
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, json: (await response.json()) as T };
  };

  it('answers only requests addressed to localhost: a page that rebinds its own name to 127.0.0.1 gets a 421 from the API, the controls and the pay pages', async () => {
    const link = await mintLink(stripe);
    const statusFor = (path: string, host: string, method = 'GET') =>
      new Promise<number>((resolve, reject) => {
        const call = request(
          `${emulator.url}${path}`,
          { method, headers: { Host: host } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        call.on('error', reject);
        call.end();
      });
    for (const [path, method] of [
      [`/b/${link.id}`, 'GET'],
      [`/b/${link.id}/pay`, 'POST'],
      ['/_emulator/events', 'GET'],
      [`/v1/payment_links/${link.id}`, 'GET'],
    ]) {
      await expect(statusFor(path, 'attacker.example', method)).resolves.toBe(421);
      await expect(statusFor(path, `attacker.example:${emulator.port}`, method)).resolves.toBe(421);
    }
    await expect(statusFor(`/b/${link.id}`, `localhost:${emulator.port}`)).resolves.toBe(200);
    await expect(statusFor(`/b/${link.id}`, `127.0.0.1:${emulator.port}`)).resolves.toBe(200);
    expect(emulator.events).toEqual([]);
  });

  it('sets the webhook URL, pays a link by bank debit, settles it and reports events and deliveries', async () => {
    await control('webhook-url', { url: receiver.url });
    const link = await mintLink(stripe);

    const paid = await control<CheckoutSession>(`payment-links/${link.id}/pay`, {
      method: 'bank_debit',
    });
    expect(paid.json).toMatchObject({
      status: 'complete',
      payment_status: 'unpaid',
      payment_link: link.id,
    });
    await control(`checkout-sessions/${paid.json.id}/settle`, { outcome: 'succeeded' });
    await control('wait-for-deliveries', {});

    const events = await control<StripeEvent[]>('events');
    expect(events.json.map((event) => event.type)).toEqual([
      'checkout.session.completed',
      'payment_intent.succeeded',
      'checkout.session.async_payment_succeeded',
    ]);
    const deliveries = await control<Array<{ status: number }>>('deliveries');
    expect(deliveries.json.map((delivery) => delivery.status)).toEqual([200, 200, 200]);
    const redelivered = await control<{ status: number }>(
      `events/${events.json[0].id}/redeliver`,
      {},
    );
    expect(redelivered.json).toEqual({ status: 200 });
  });

  it('injects a fault and a rate limit, and lists the requests received', async () => {
    await control('faults', { method: 'POST', path_pattern: '^/v1/products$', kind: '500' });
    await expect(stripe.products.create({ name: 'Jersey' })).rejects.toMatchObject({
      statusCode: 500,
    });

    await control('rate-limit', { per_second: 1 });
    await stripe.products.list();
    await expect(stripe.products.list()).rejects.toMatchObject({ statusCode: 429 });

    const requests = await control<Array<{ path: string; status: number }>>('requests');
    expect(requests.json.map((r) => r.status)).toEqual([500, 200, 429]);
  });

  it('opens, completes, expires and disputes by id, answering Stripe errors for bad states', async () => {
    const link = await mintLink(stripe, { restrictions: undefined });
    const opened = await control<CheckoutSession>(`payment-links/${link.id}/open`, {});
    const completed = await control<CheckoutSession>(
      `checkout-sessions/${opened.json.id}/complete`,
      {},
    );
    expect(completed.json.payment_status).toBe('paid');

    const again = await control(`checkout-sessions/${opened.json.id}/expire`, {});
    expect(again.status).toBe(400);
    const other = await control<CheckoutSession>(`payment-links/${link.id}/open`, {});
    expect((await control(`checkout-sessions/${other.json.id}/expire`, {})).status).toBe(200);
    expect(
      (await control(`payment-intents/${completed.json.payment_intent}/dispute`, {})).status,
    ).toBe(200);
    expect((await control('faults', { kind: 'explode' })).status).toBe(400);
    expect((await control('nothing-here')).status).toBe(404);
  });

  it("pays with a chosen test card: a declining one answers Stripe's 402 card_error and leaves the session open; a saved card can be detached", async () => {
    const link = await mintLink(stripe, {
      restrictions: undefined,
      payment_intent_data: { setup_future_usage: 'off_session' },
    });
    const opened = await control<CheckoutSession>(`payment-links/${link.id}/open`, {});
    const declined = await control<{ error: { type: string; code: string; decline_code: string } }>(
      `checkout-sessions/${opened.json.id}/complete`,
      { card: 'pm_card_chargeDeclined' },
    );
    expect(declined.status).toBe(402);
    expect(declined.json.error).toMatchObject({
      type: 'card_error',
      code: 'card_declined',
      decline_code: 'generic_decline',
    });
    expect(
      (await control(`checkout-sessions/${opened.json.id}/complete`, { card: 'pm_nope' })).status,
    ).toBe(400);
    const paid = await control<CheckoutSession>(`payment-links/${link.id}/pay`, {
      card: 'pm_card_visa',
    });
    expect(paid.json.customer).toMatch(/^cus_/);
    const detached = await control<Array<{ id: string; customer: string | null }>>(
      `customers/${paid.json.customer}/detach-card`,
      {},
    );
    expect(detached.status).toBe(200);
    expect(detached.json).toEqual([expect.objectContaining({ customer: null })]);
    expect((await control<StripeEvent[]>('events')).json.map((event) => event.type)).toContain(
      'payment_method.detached',
    );
  });
});
