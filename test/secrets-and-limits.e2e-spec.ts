import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { QueryFailedError } from 'typeorm';
import { fromPostgresError } from '../src/common/errors/postgres-errors';
import type { StripeEmulator } from '../src/stripe-emulator';
import { createTestApp, TestApp } from './support/app';
import { factories, TestClub } from './support/factories';
import { withStripeApp } from './support/stripe';
import { postWebhook, signed } from './support/webhook-events';

describe('secrets stay out of logs and error bodies', () => {
  let t: TestApp;
  let club: TestClub;
  const logFile = path.join(mkdtempSync(path.join(tmpdir(), 'courtside-logs-')), 'app.log');

  beforeAll(async () => {
    t = await createTestApp({ env: { LOG_FILE: logFile, LOG_LEVEL: 'info' } });
    club = await factories(t.db).club();
  });
  afterAll(() => t.close());

  it('logs requests with ids but never the API key, a token in the URL or a Stripe signature', async () => {
    const token = 'tok_9f8e7d6c5b4a39281706f5e4d3c2b1a0';
    const signature =
      't=1700000000,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd';
    await t.as(club.apiKey).get('/admin/parents').expect(200);
    await t.as(`${club.apiKey}x`).get('/admin/parents').expect(401);
    await t.http().get(`/health?token=${token}`).set('Stripe-Signature', signature).expect(200);
    const res = await t
      .as(club.apiKey)
      .get('/admin/parents/999999')
      .set('X-Request-Id', 'req-known-id-123')
      .expect(404);
    expect(res.headers['x-request-id']).toBe('req-known-id-123');

    const logs = readFileSync(logFile, 'utf8');
    expect(logs).toContain('req-known-id-123');
    expect(logs).toContain('/health?token=[REDACTED]');
    for (const secret of [club.apiKey, token, signature, 'v1=5257a869'])
      expect(logs).not.toContain(secret);
  });

  it('answers an unexpected failure with a 500 that carries a request id and no internals', async () => {
    await t.db.query('ALTER TABLE teams RENAME TO teams_moved');
    try {
      const res = await t.as(club.apiKey).get('/admin/teams').expect(500);
      expect(res.body).toEqual({
        statusCode: 500,
        error: 'internal_error',
        message: expect.stringMatching(/request id/),
        request_id: res.headers['x-request-id'],
      });
      expect(JSON.stringify(res.body)).not.toMatch(/teams|relation|SELECT|stack/i);
      expect(readFileSync(logFile, 'utf8')).toContain(res.headers['x-request-id']);
    } finally {
      await t.db.query('ALTER TABLE teams_moved RENAME TO teams');
    }
  });

  it('answers with no secret in any error body', async () => {
    const bodies = [
      (await t.as(`${club.apiKey}x`).get('/admin/players').expect(401)).text,
      (
        await t
          .as(club.apiKey)
          .post('/admin/parents')
          .send({ name: club.apiKey, email: 'not-an-email' })
          .expect(400)
      ).text,
    ];
    for (const body of bodies) expect(body).not.toContain(club.apiKey);
  });

  it('turns a second active payment link for one order into a clear conflict, not a 500', async () => {
    const f = factories(t.db);
    const order = await f.order(club.tenant.id);
    const insertLink = (id: string) =>
      t.db.query(
        `INSERT INTO payment_links (tenant_id, player_id, product_id, order_id, stripe_payment_link_id, stripe_price_id, url, amount_cents, currency)
         VALUES ($1, $2, $3, $4, $5, 'price_x', 'https://pay.example/x', 5000, 'usd')`,
        [club.tenant.id, order.playerId, order.productId, order.id, id],
      );
    await insertLink('plink_first');
    const error = await insertLink('plink_second').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryFailedError);
    expect(fromPostgresError(error)).toMatchObject({
      code: 'conflict',
      message: 'This order already has an active payment link',
    });
  });
});

describe('public routes are rate limited', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { PUBLIC_RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(() => t.close());

  it('answers a flood with 429s, never an error, and keeps serving admins', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 40 }, () =>
        t
          .http()
          .get('/health')
          .then((res) => res.status),
      ),
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);

    const limited = await t.http().get('/health').expect(429);
    expect(limited.body).toMatchObject({ statusCode: 429, error: 'too_many_requests' });

    const club = await factories(t.db).club();
    for (let i = 0; i < 10; i++) await t.as(club.apiKey).get('/admin/parents').expect(200);
  });
});

describe('the public rate limit is one allowance per client (A10)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { PUBLIC_RATE_LIMIT_PER_MINUTE: '5' } });
  });
  afterAll(() => t.close());

  it('counts a client across all public routes together, and its 429 body is the usual error shape naming no class (A10)', async () => {
    const client = t.http();
    const statuses = [];
    for (const url of ['/health', '/health', '/checkout/thanks', '/checkout/thanks', '/health'])
      statuses.push((await client.get(url)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200]);

    for (const url of ['/checkout/thanks', '/checkout/first-payment?token=unknown', '/health']) {
      const limited = await client.get(url);
      expect({ url, status: limited.status, body: limited.body }).toEqual({
        url,
        status: 429,
        body: {
          statusCode: 429,
          error: 'too_many_requests',
          message: 'Too many requests; try again in a minute',
        },
      });
      expect(limited.text).not.toMatch(/exception|throttl/i);
      expect(limited.headers['retry-after']).toMatch(/^\d+$/);
    }
  });
});

describe('the Stripe secret key and the webhook signing secret stay out of logs and error bodies (A5)', () => {
  const secretKey = `sk_test_a5${randomBytes(16).toString('hex')}`;
  // A live key, which the emulator refuses with a 401 as Stripe refuses a wrong key.
  const refusedKey = `sk_live_a5${randomBytes(16).toString('hex')}`;
  const webhookSecret = `whsec_a5${randomBytes(16).toString('hex')}`;
  /** Which secrets a text shows, whole or just their random part. */
  const leaked = (text: string) =>
    [secretKey, refusedKey, webhookSecret].filter(
      (secret) => text.includes(secret) || text.includes(secret.slice(-32)),
    );
  const logDir = mkdtempSync(path.join(tmpdir(), 'courtside-a5-'));
  const env = (key: string, log: string) => ({
    STRIPE_SECRET_KEY: key,
    STRIPE_WEBHOOK_SECRET: webhookSecret,
    STRIPE_MAX_RETRIES: '0',
    LOG_FILE: path.join(logDir, log),
    LOG_LEVEL: 'debug',
  });
  let stripe: StripeEmulator;
  let t: TestApp;
  let refused: TestApp;

  withStripeApp((made) => ({ stripe, t } = made), {
    emulator: { webhookSecret },
    env: env(secretKey, 'app.log'),
  });
  beforeAll(async () => {
    refused = await createTestApp({ stripe, env: env(refusedKey, 'refused.log') });
    // The emulator delivers webhooks to the app made last: back to the one under test.
    stripe.setWebhookUrl(`${t.publicUrl}/webhooks/stripe`);
  });
  afterAll(() => refused.close());

  it('neither appears in a log line or an error body, whatever Stripe answers: a payment, a 500, a rejected parameter, a refused key, a badly signed webhook', async () => {
    const bodies: string[] = [];
    const club = await factories(t.db).club();
    const order = (amountCents?: number) =>
      factories(t.db).order(club.tenant.id, amountCents ? { amountCents } : {});
    const mint = async (orderId: number, status: number) => {
      const res = await t.as(club.apiKey).post(`/admin/orders/${orderId}/payment-link`);
      bodies.push(res.text);
      expect(res.status).toBe(status);
      return res.body as { stripe_payment_link_id: string };
    };

    const link = await mint((await order()).id, 201);
    await stripe.pay(link.stripe_payment_link_id);
    await stripe.waitForDeliveries();
    expect(new Set(stripe.deliveries.map((d) => d.status))).toEqual(new Set([200]));
    stripe.injectFault({ method: 'POST', path: '/v1/payment_links', kind: '500' });
    await mint((await order()).id, 503);
    await mint((await order(100_000_000)).id, 502);

    const event = JSON.stringify({ id: 'evt_a5', object: 'event', type: 'ping', data: {} });
    for (const signature of ['t=1,v1=00', signed(event)]) {
      const res = await postWebhook(t, event, signature);
      bodies.push(res.text);
      expect(res.status).toBe(400);
    }

    const refusedClub = await factories(refused.db).club();
    const refusedOrder = await factories(refused.db).order(refusedClub.tenant.id);
    const rejected = await refused
      .as(refusedClub.apiKey)
      .post(`/admin/orders/${refusedOrder.id}/payment-link`);
    bodies.push(rejected.text);
    expect(rejected.status).toBe(502);
    expect(rejected.body.message).toMatch(/Invalid API Key/);

    const logs = ['app.log', 'refused.log']
      .map((file) => readFileSync(path.join(logDir, file), 'utf8'))
      .join('\n');
    expect(logs).toContain('"url":"/webhooks/stripe"');
    expect(logs).toContain('payment_provider_rejected');
    expect(leaked(logs)).toEqual([]);
    expect(leaked(bodies.join('\n'))).toEqual([]);
  });

  it('neither appears when the service refuses to start over its configuration', () => {
    const main = path.resolve(__dirname, '../dist/src/main.js');
    expect(existsSync(main)).toBe(true);
    const logFile = path.join(logDir, 'start-up.log');
    for (const [variable, env] of [
      [
        'STRIPE_WEBHOOK_SECRET',
        { STRIPE_SECRET_KEY: secretKey, STRIPE_WEBHOOK_SECRET: `whsec-${webhookSecret}` },
      ],
      [
        'STRIPE_SECRET_KEY',
        { STRIPE_SECRET_KEY: `${secretKey}!`, STRIPE_WEBHOOK_SECRET: webhookSecret },
      ],
      [
        'STRIPE_MODE',
        {
          STRIPE_MODE: 'emulator',
          STRIPE_SECRET_KEY: secretKey,
          STRIPE_WEBHOOK_SECRET: webhookSecret,
        },
      ],
    ] as const) {
      const run = spawnSync(process.execPath, [main], {
        env: { ...process.env, ...env, LOG_FILE: logFile, DATA_DIR: logDir },
        encoding: 'utf8',
        timeout: 30_000,
      });
      const said = `${run.stdout}${run.stderr}${existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''}`;
      expect(run.status).toBe(1);
      expect(said).toMatch(/Invalid configuration/);
      expect(said).toContain(variable);
      expect(leaked(said)).toEqual([]);
    }
  });
});
