import request from 'supertest';
import { DataSource } from 'typeorm';
import { addMonths, localNow } from '../../src/common/month/billing-month';
import { dataSourceOptions } from '../../src/database/data-source.options';
import type { StripeEmulator } from '../../src/stripe-emulator';
import { sdkClient } from '../../src/stripe-emulator/testing/sdk-client';
import { runCliJson } from '../support/cli';
import { createEmptyDatabase } from '../support/database';
import { eventually } from '../support/eventually';
import { factories, type TestClub } from '../support/factories';
import { Service } from '../support/service';
import { SmtpSink } from '../support/smtp-sink';
import { busiestSecond, startStripeEmulator } from '../support/stripe';
import { eventsAbout, payloadOf, signed } from '../support/webhook-events';
import { TEST_WEBHOOK_SECRET } from '../support/webhook-secret';

/** Stripe calls per second for all instances together; each alone would send up to this many. */
const LIMIT = 30;
const FAMILIES = 50;
const PLAYERS_PER_FAMILY = 2;
/** Families whose card is kept for autopay: the month run charges their players' dues. */
const CARD_FAMILIES = 10;
/** Each payment's events: Stripe's own delivery of each, then three more copies of the session's. */
const EXTRA_COPIES = 3;
/** Deliveries in flight at once, spread over the instances. */
const CONCURRENCY = 16;

/**
 * O4: three service processes (`dist/src/main.js`, as `npm start` runs) on one database and one
 * Stripe account, with traffic spread over them: a month run started on all three, a backfill from
 * the CLI meanwhile, a blast sent from all three, 1,000 webhook deliveries. Each payment is applied
 * once, each family mailed once, each month billed once, and Stripe never sees more than the
 * shared limit in a rolling second.
 */
describe('three instances on one database (O4)', () => {
  let stripe: StripeEmulator;
  let sink: SmtpSink;
  let databaseUrl: string;
  let db: DataSource;
  let instances: Service[] = [];
  let club: TestClub;

  beforeAll(async () => {
    stripe = await startStripeEmulator({ rateLimitPerSecond: LIMIT });
    sink = await SmtpSink.start();
    // A new database: the instances, started together, make its schema and queues between them.
    databaseUrl = await createEmptyDatabase();
    const shared = {
      DATABASE_URL: databaseUrl,
      STRIPE_MODE: 'emulator',
      STRIPE_EMULATOR_URL: stripe.url,
      STRIPE_WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      STRIPE_RATE_LIMIT_PER_SECOND: String(LIMIT),
      SMTP_URL: `${sink.url}?rateLimit=200`,
      SCHEDULED_JOBS: 'off',
    };
    // The third serves HTTP only (JOB_WORKERS=off): the others work the queue its requests fill.
    instances = await Promise.all(
      ([{}, {}, { JOB_WORKERS: 'off' }] as Record<string, string>[]).map((own) =>
        Service.create({ ...shared, ...own }),
      ),
    );
    // Started together: the migrations run once under their lock, the queues are made one at a
    // time, and all three come up.
    await Promise.all(instances.map((instance) => instance.start()));
    db = await new DataSource(dataSourceOptions(databaseUrl, 4)).initialize();
    stripe.setWebhookUrl(`${instances[0].baseUrl}/webhooks/stripe`);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(instances.map((instance) => instance.dispose()));
    await db?.destroy();
    await sink?.close();
    await stripe?.close();
  }, 60_000);

  const on = (i: number) => instances[i % instances.length];
  const admin = (i: number, method: 'get' | 'post', url: string) =>
    request(on(i).baseUrl)[method](url).set('Authorization', `Bearer ${club.apiKey}`);

  /** A club of families whose players started (first month paid) and owe a jersey and a tournament fee. */
  async function seedClub(): Promise<{ owed: number[]; players: number[]; carded: number[] }> {
    const f = factories(db);
    club = await f.club();
    const tenantId = club.tenant.id;
    const team = await f.team(tenantId, { monthlyFeeCents: 12_500 });
    const dues = await f.product(tenantId, {
      name: 'Monthly dues',
      category: 'monthly',
      priceCents: 12_500,
    });
    const jersey = await f.product(tenantId, { name: 'Jersey', priceCents: 4_500 });
    const tournament = await f.product(tenantId, { name: 'Tournament fee', priceCents: 9_000 });
    const sdk = sdkClient(stripe);
    const owed: number[] = [];
    const players: number[] = [];
    const carded: number[] = [];
    await Promise.all(
      Array.from({ length: FAMILIES }, async (_, family) => {
        const parent = await f.parent(tenantId, { email: `family${family}@scale.example` });
        if (family < CARD_FAMILIES) {
          const customer = await sdk.customers.create({ email: parent.email! });
          const card = await sdk.paymentMethods.attach('pm_card_visa', { customer: customer.id });
          await db.query(
            `UPDATE parents SET stripe_customer_id = $2, autopay_payment_method_id = $3, card_brand = 'visa',
                    card_last4 = '4242', card_exp_month = 12, card_exp_year = 2034 WHERE id = $1`,
            [parent.id, customer.id, card.id],
          );
        }
        for (let i = 0; i < PLAYERS_PER_FAMILY; i++) {
          const player = await f.player(tenantId, { parentId: parent.id, teamId: team.id });
          players.push(player.id);
          if (family < CARD_FAMILIES) carded.push(player.id);
          await f.order(tenantId, {
            playerId: player.id,
            productId: dues.id,
            amountCents: 12_500,
            status: 'paid',
            amountPaidCents: 12_500,
            paidAt: new Date(),
          });
          for (const product of [jersey, tournament])
            owed.push(
              (
                await f.order(tenantId, {
                  playerId: player.id,
                  productId: product.id,
                  amountCents: product.priceCents,
                })
              ).id,
            );
        }
      }),
    );
    return { owed, players, carded };
  }

  /** One delivery as Stripe makes it: true on a 2xx, false when it would be tried again. */
  const delivered = (baseUrl: string, body: string): Promise<boolean> =>
    request(baseUrl)
      .post('/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', signed(body))
      .send(body)
      .then(
        (res) => res.status >= 200 && res.status < 300,
        () => false,
      );

  const count = async (sql: string, params: unknown[]): Promise<number> =>
    ((await db.query(sql, params)) as { n: number }[])[0].n;

  /** Nothing left for any instance to do: no job waiting or running, every event delivered. */
  const quiet = () =>
    eventually(async () => {
      await stripe.waitForDeliveries();
      expect(
        await count(
          `SELECT count(*)::int AS n FROM pgboss.job WHERE state IN ('created', 'retry', 'active')`,
          [],
        ),
      ).toBe(0);
    }, 120_000);

  it('a month run started on all three, a backfill meanwhile, a blast sent from all three and 1,000 webhook deliveries with one instance restarted midway: each month billed once, each family mailed once, each payment applied and receipted once, Stripe under the shared limit', async () => {
    const { owed, players, carded } = await seedClub();
    const tenantId = club.tenant.id;
    const stripeCallsBefore = stripe.requests.length;
    const month = addMonths(localNow(new Date(), 'UTC').month, 1);

    // The month run, started on all three at once; the backfill from the CLI while it charges.
    const started = await Promise.all(
      instances.map((_, i) =>
        admin(i, 'post', '/admin/billing/runs').send({ period: month, dry_run: false }),
      ),
    );
    expect(started.map((res) => res.status)).toEqual([202, 202, 202]);
    expect(new Set(started.map((res) => (res.body as { id: number }).id)).size).toBe(1);
    const backfill = await runCliJson(
      { app: { databaseUrl }, stripe, env: instances[0].env },
      'backfill:payment-links',
      '--tenant',
      club.tenant.slug,
      '--commit',
    );
    expect({
      code: backfill.code,
      err: backfill.err,
      summary: backfill.report.summary,
      failures: backfill.report.items.filter((i) => i.status === 'failed'),
    }).toEqual({
      code: 0,
      err: '',
      summary: expect.objectContaining({ failed: 0 }),
      failures: [],
    });
    await quiet();

    // Each month billed once: one run, one order per player, one PaymentIntent per card order.
    expect(
      await count(`SELECT count(*)::int AS n FROM billing_runs WHERE tenant_id = $1`, [tenantId]),
    ).toBe(1);
    const monthOrders = (await db.query(
      `SELECT id, player_id, status FROM orders WHERE tenant_id = $1 AND billing_period = $2`,
      [tenantId, `${month}-01`],
    )) as { id: number; player_id: number; status: string }[];
    expect(monthOrders.map((o) => o.player_id).sort()).toEqual([...players].sort());
    const intents = stripe.requests.filter(
      (r) => r.method === 'POST' && r.path === '/v1/payment_intents',
    );
    expect(new Set(intents.map((r) => r.idempotencyKey)).size).toBe(carded.length);
    const cardOrders = monthOrders.filter((o) => carded.includes(o.player_id));
    expect(cardOrders.map((o) => o.status)).toEqual(Array(carded.length).fill('paid'));
    // Every owed order (the month's link orders and the backfilled ones) has exactly one live link.
    const owedNow = (await db.query(
      `SELECT o.id, count(l.id)::int AS links FROM orders o
         LEFT JOIN payment_links l ON l.order_id = o.id AND l.status = 'active'
        WHERE o.tenant_id = $1 AND o.status = 'pending' GROUP BY o.id`,
      [tenantId],
    )) as { id: number; links: number }[];
    expect(owedNow).toHaveLength(owed.length + players.length - carded.length);
    expect(owedNow.filter((o) => o.links !== 1)).toEqual([]);

    // The statement blast: previewed on one instance, sent from all three at once.
    const preview = await admin(0, 'post', '/admin/email/blasts')
      .send({ query: 'outstanding_balances' })
      .expect(201);
    const blast = preview.body as { id: number; recipient_count: number };
    expect(blast.recipient_count).toBe(FAMILIES);
    const sends = await Promise.all(
      instances.map((_, i) => admin(i, 'post', `/admin/email/blasts/${blast.id}/send`)),
    );
    expect(sends.filter((res) => res.status === 200).length).toBeGreaterThanOrEqual(1);
    expect(sends.filter((res) => ![200, 409].includes(res.status))).toEqual([]);
    await quiet();
    const statements = sink.messages.filter(
      (message) => message.headers['x-courtside-blast'] === String(blast.id),
    );
    const recipients = statements.flatMap((message) => message.to);
    expect(recipients).toHaveLength(FAMILIES);
    expect(new Set(recipients).size).toBe(FAMILIES);

    // Families pay the jersey and tournament links: Stripe delivers each event to one instance;
    // the session's event comes three more times, to each instance (a retry, a replay).
    const deliveries: { body: string; instance: number }[] = [];
    for (const [n, orderId] of owed.entries()) {
      const [link] = (await db.query(
        `SELECT stripe_payment_link_id AS id FROM payment_links WHERE order_id = $1 AND status = 'active'`,
        [orderId],
      )) as { id: string }[];
      const session = await stripe.pay(link.id);
      const completed = eventsAbout(stripe, session.id).find(
        (event) => event.type === 'checkout.session.completed',
      )!;
      for (let copy = 1; copy <= EXTRA_COPIES; copy++)
        deliveries.push({ body: payloadOf(completed), instance: n + copy });
    }
    // Halfway through, the third instance is restarted (a deploy): deliveries it cannot take
    // are tried again, as Stripe does, and land on it once it is back.
    let next = 0;
    let restarted: Promise<void> | undefined;
    let retried = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < deliveries.length) {
          if (next === deliveries.length / 2)
            restarted = on(2)
              .stop('SIGTERM')
              .then(() => on(2).start());
          const { body, instance } = deliveries[next++];
          while (!(await delivered(on(instance).baseUrl, body))) {
            retried++;
            await new Promise((resolve) => setTimeout(resolve, 250));
          }
        }
      }),
    );
    await restarted;
    expect(retried).toBeGreaterThan(0);
    await quiet();

    // 1,000 deliveries: two events per payment from Stripe, three more copies of each session's.
    const paymentEvents = (await db.query(
      `SELECT e.attempts, e.outcome FROM stripe_events e
        WHERE e.tenant_id = $1 AND e.type = 'checkout.session.completed'
          AND (e.payload -> 'data' -> 'object' -> 'metadata' ->> 'order_id')::int = ANY($2)`,
      [tenantId, owed],
    )) as { attempts: number; outcome: string }[];
    expect(paymentEvents).toHaveLength(owed.length);
    expect(paymentEvents.every((e) => e.outcome === 'processed')).toBe(true);
    const intentEvents = owed.length;
    // (A delivery whose answer the restart cut off is counted again when it is tried again.)
    const received = paymentEvents.reduce((sum, e) => sum + e.attempts, 0) + intentEvents;
    expect(received).toBeGreaterThanOrEqual(1_000);
    expect(received).toBeLessThanOrEqual(1_000 + retried);
    // Each payment applied once: paid, one audit row, its link closed at Stripe once.
    const paidOwed = await count(
      `SELECT count(*)::int AS n FROM orders WHERE id = ANY($1) AND status = 'paid'
          AND amount_paid_cents = amount_cents`,
      [owed],
    );
    expect(paidOwed).toBe(owed.length);
    const audits = (await db.query(
      `SELECT subject, count(*)::int AS n FROM audit_log
        WHERE tenant_id = $1 AND action = 'order.paid' AND subject = ANY($2) GROUP BY subject`,
      [tenantId, owed.map((id) => `order:${id}`)],
    )) as { subject: string; n: number }[];
    expect(audits).toHaveLength(owed.length);
    expect(audits.filter((a) => a.n !== 1)).toEqual([]);
    expect(
      await count(`SELECT count(*)::int AS n FROM overpayments WHERE tenant_id = $1`, [tenantId]),
    ).toBe(0);

    // Each payment's receipt mailed once, whichever instance's worker took its job.
    const receipts = sink.messages
      .filter((message) => message.subject.includes('payment received'))
      .map((message) => `${message.to.join()} ${message.subject}`);
    expect(receipts).toHaveLength(owed.length + carded.length);
    expect(new Set(receipts).size).toBe(receipts.length);

    // All of it, from three instances and a CLI: never more than the limit in a second.
    const calls = stripe.requests.slice(stripeCallsBefore);
    expect(calls.filter((call) => call.status === 429)).toEqual([]);
    expect(busiestSecond(calls)).toBeLessThanOrEqual(LIMIT);
  }, 300_000);
});
