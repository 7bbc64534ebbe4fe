import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type Stripe from 'stripe';
import { StripeEmulator, webhookSecretIn } from './index';
import { mintLink, sdkClient } from './testing/sdk-client';
import { WebhookReceiver } from './testing/webhook-receiver';

describe('Stripe emulator with a state folder: a restart changes nothing a caller can see (S6)', () => {
  let stateDir: string;
  let receiver: WebhookReceiver;
  const running: StripeEmulator[] = [];

  const start = async (options: { webhookUrl?: string; webhookAttempts?: number } = {}) => {
    const emulator = await StripeEmulator.start({
      stateDir,
      webhookUrl: options.webhookUrl ?? receiver.url,
      webhookAttempts: options.webhookAttempts,
      rateLimitPerSecond: 0,
      webhookRetryDelayMs: 20,
    });
    running.push(emulator);
    return { emulator, stripe: sdkClient(emulator) };
  };

  beforeEach(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), 'emulator-state-'));
    receiver = await WebhookReceiver.start();
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((emulator) => emulator.close()));
    await receiver.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('keeps products, prices, links and idempotency keys: a retried create returns the same link, the old link still pays and can be deactivated', async () => {
    const first = await start();
    const product = await first.stripe.products.create(
      { name: 'Monthly dues' },
      { idempotencyKey: 'product:1:1' },
    );
    const price = await first.stripe.prices.create(
      { product: product.id, unit_amount: 9000, currency: 'usd' },
      { idempotencyKey: 'price:1:1:usd:9000' },
    );
    const linkParams: Stripe.PaymentLinkCreateParams = {
      line_items: [{ price: price.id, quantity: 1 }],
      metadata: { tenant_id: '1', order_id: '7', player_id: '3', product_id: '1' },
      restrictions: { completed_sessions: { limit: 1 } },
    };
    const link = await first.stripe.paymentLinks.create(linkParams, {
      idempotencyKey: 'link:1:7:v1',
    });
    await first.emulator.close();

    const second = await start();
    expect(second.emulator.webhookSecrets).toEqual(first.emulator.webhookSecrets);
    await expect(second.stripe.products.retrieve(product.id)).resolves.toMatchObject({
      name: 'Monthly dues',
    });
    await expect(second.stripe.prices.retrieve(price.id)).resolves.toMatchObject({
      unit_amount: 9000,
    });
    const again = await second.stripe.paymentLinks.create(linkParams, {
      idempotencyKey: 'link:1:7:v1',
    });
    expect(again.id).toBe(link.id);
    expect(again.lastResponse.headers['idempotent-replayed']).toBe('true');

    const page = await fetch(`${second.emulator.url}/b/${link.id}`);
    expect(page.status).toBe(200);
    await expect(page.text()).resolves.toContain('$90.00');

    const session = await second.emulator.pay(link.id);
    expect(session.payment_status).toBe('paid');
    await second.emulator.waitForDeliveries();
    const completed = receiver.received.find((webhook) =>
      webhook.body.includes('"checkout.session.completed"'),
    );
    expect(completed).toBeDefined();
    expect(() =>
      second.stripe.webhooks.constructEvent(
        completed!.body,
        completed!.signature ?? '',
        first.emulator.webhookSecrets[0],
      ),
    ).not.toThrow();
    await expect(
      second.stripe.paymentLinks.update(link.id, { active: false }),
    ).resolves.toMatchObject({ active: false });
  });

  it('an answered call is on disk before its answer leaves: a second emulator opened without a clean stop finds it', async () => {
    const first = await start();
    const link = await mintLink(first.stripe);

    const second = await start();
    await expect(second.stripe.paymentLinks.retrieve(link.id)).resolves.toMatchObject({
      id: link.id,
      active: true,
    });
  });

  const deadEndpoint = async () => {
    const closedPort = await WebhookReceiver.start();
    await closedPort.close();
    return closedPort.url;
  };

  it('events the endpoint never took, its tries used up, are delivered after the restart', async () => {
    const first = await start({ webhookUrl: await deadEndpoint() });
    const link = await mintLink(first.stripe);
    const session = await first.emulator.pay(link.id);
    await first.emulator.waitForDeliveries();
    expect(first.emulator.deliveries.map((delivery) => delivery.status)).toEqual(
      Array(6).fill('error'),
    );
    await first.emulator.close();

    const second = await start();
    await second.emulator.waitForDeliveries();
    const delivered = receiver.received.map(
      (webhook) => JSON.parse(webhook.body) as { type: string; data: { object: { id: string } } },
    );
    expect(delivered.map((event) => event.type)).toEqual([
      'payment_intent.succeeded',
      'checkout.session.completed',
    ]);
    expect(delivered[1].data.object.id).toBe(session.id);
  });

  it("an API call's events are owed on disk before the call is answered: a crash right after it loses none", async () => {
    const first = await start({ webhookUrl: await deadEndpoint(), webhookAttempts: 1_000 });
    const link = await mintLink(first.stripe);
    const session = await first.emulator.pay(link.id);
    await first.stripe.refunds.create({ payment_intent: session.payment_intent as string });

    // Opened beside the first, as after a kill: it has only what was on disk.
    const second = await start();
    await second.emulator.waitForDeliveries();
    const types = receiver.received.map(
      (webhook) => (JSON.parse(webhook.body) as { type: string }).type,
    );
    expect(types).toContain('charge.refunded');
  });

  it('the signing secret is random per folder, the same after a restart, and readable by its owner only (S5)', async () => {
    const other = mkdtempSync(path.join(tmpdir(), 'emulator-state-'));
    try {
      const secret = webhookSecretIn(stateDir);
      expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
      expect(webhookSecretIn(stateDir)).toBe(secret);
      expect(webhookSecretIn(other)).not.toBe(secret);
      const { emulator, stripe } = await start();
      expect(emulator.webhookSecrets).toEqual([secret]);
      await mintLink(stripe);
      for (const file of ['webhook-secret', 'state.json'])
        expect(statSync(path.join(stateDir, file)).mode & 0o777).toBe(0o600);
      expect(statSync(stateDir).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
