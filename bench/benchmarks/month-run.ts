import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { addMonths } from '../../src/common/month/billing-month';
import { MonthRunService } from '../../src/month/services/month-run.service';
import { StripeEmulator, newWebhookSecret } from '../../src/stripe-emulator';
import { EmulatorState } from '../../src/stripe-emulator/objects/emulator-state';
import { newCustomer } from '../../src/stripe-emulator/payments/saved-cards';
import { newCardPaymentMethod } from '../../src/stripe-emulator/payments/test-cards';
import { startApp } from '../lib/app';
import type { Benchmark } from '../lib/context';
import { median, round } from '../lib/measure';
import { countStatements } from '../lib/query-counter';
import { CARD_PARENTS, MEASURED_TENANT, SEED, savedCardIds } from '../seed';

const EMULATOR_RATE_PER_SECOND = 100;
const EMULATOR_LATENCY_MS = 20;
/** The service's own pace: the emulator's whole limit (as in `backfill`). */
const APP_RATE_PER_SECOND = EMULATOR_RATE_PER_SECOND;
const BUDGET_RATIO = 1.2;
const RAW_INSERT_RUNS = 3;
const EMULATOR_KEY = 'sk_test_bench_month_run';
/** Any statement that writes orders rows (TypeORM quotes the table name, hand-written SQL not). */
const INSERTS_ORDERS = /\binsert\s+into\s+"?orders"?[\s(]/i;
/** Stripe calls that create something (the rate-limit floor counts these). */
const CREATING = new Set([
  '/v1/payment_intents',
  '/v1/payment_links',
  '/v1/prices',
  '/v1/products',
]);

/**
 * The month run (monthly-cycle.md §2) of the measured club for the month after this one, in the
 * real service (AppModule, the emulator's webhooks delivered to its /webhooks/stripe), timed
 * around `MonthRunService.run`: every one of the 15,000 signed and started players gets an order,
 * the 8,000 whose family keeps a card are charged off-session, the 7,000 others get a Pay Now
 * link, against the in-process emulator at 100 calls per rolling second + 20 ms per call.
 *
 * The lower bound is what no implementation can beat: the rate-limit floor of the Stripe calls
 * the run had to make (charges + links + prices created, ÷ 100 s) plus the time of the one raw
 * INSERT of the same orders through `pg` (median of rolled-back runs).
 */
export const monthRun: Benchmark = {
  name: 'month_run',
  async run({ pg, log }) {
    const databaseUrl = await pg.copy('bench_month_run');
    const secret = newWebhookSecret();
    // Set-up runs unlimited; the limit and the latency are set just before the clock starts.
    const emulator = await StripeEmulator.start({
      webhookSecret: secret,
      rateLimitPerSecond: 0,
      latencyMs: 0,
    });
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    // startApp writes its configuration into process.env; the benchmarks after this one keep theirs.
    const savedEnv = {
      MAIL_TRANSPORT: process.env.MAIL_TRANSPORT,
      DATA_DIR: process.env.DATA_DIR,
      STRIPE_RATE_LIMIT_PER_SECOND: process.env.STRIPE_RATE_LIMIT_PER_SECOND,
    };
    let app: Awaited<ReturnType<typeof startApp>> | undefined;
    try {
      const setupStarted = Date.now();
      await stripeAccount(db, emulator);
      const month = await measuredMonth(db);
      const period = `${month}-01`;
      log(
        `month_run: emulator holds ${CARD_PARENTS} customers with a card and the monthly product (${((Date.now() - setupStarted) / 1000).toFixed(1)} s); month ${month}`,
      );

      const raw = await rawInsert(db, period);
      log(
        `month_run: raw INSERT of ${raw.orders} orders ${raw.samples.map((ms) => ms.toFixed(0)).join('/')} ms (rolled back)`,
      );

      app = await startApp({
        databaseUrl,
        stripe: { apiUrl: emulator.url, webhookSecrets: [secret] },
        env: {
          MAIL_TRANSPORT: 'outbox',
          DATA_DIR: mkdtempSync(path.join(tmpdir(), 'courtside-bench-month-')),
          STRIPE_RATE_LIMIT_PER_SECOND: String(APP_RATE_PER_SECOND),
        },
      });
      emulator.setWebhookUrl(`${app.url}/webhooks/stripe`);
      const service = app.app.get(MonthRunService);
      const club = { tenantId: MEASURED_TENANT, actor: 'bench' };

      emulator.setRateLimit(EMULATOR_RATE_PER_SECOND);
      emulator.setLatency(EMULATOR_LATENCY_MS);
      // The set-up's calls leave the emulator's rolling second before the clock starts.
      await new Promise((resolve) => setTimeout(resolve, 1100));

      const fromRequest = emulator.requests.length;
      const fromDelivery = emulator.deliveries.length;
      const started = Date.now();
      let elapsedMs = 0;
      const statements = await countStatements(INSERTS_ORDERS, async () => {
        const t0 = process.hrtime.bigint();
        await service.run(club, month);
        elapsedMs = Number(process.hrtime.bigint() - t0) / 1e6;
      });
      const requests = emulator.requests.slice(fromRequest);
      const firstCall = requests[0]?.at ?? started;
      const lastCall = requests.length ? Math.max(...requests.map((r) => r.at)) : started;
      await emulator.waitForDeliveries();
      const webhooksLagMs = Date.now() - started - elapsedMs;
      const deliveries = emulator.deliveries.slice(fromDelivery);

      // The same month again: nothing new, not one Stripe call.
      const rerunFrom = emulator.requests.length;
      const rerunStatements = await countStatements(INSERTS_ORDERS, () => service.run(club, month));
      const rerunCalls = emulator.requests.length - rerunFrom;

      const made = (p: string) =>
        new Set(
          requests
            .filter((r) => r.method === 'POST' && r.path === p && r.status === 200)
            .map((r) => r.idempotencyKey),
        ).size;
      const charges = made('/v1/payment_intents');
      const links = made('/v1/payment_links');
      const prices = made('/v1/prices') + made('/v1/products');
      const rateLimited = requests.filter((r) => r.status === 429).length;
      const failedDeliveries = deliveries.filter(
        (d) => typeof d.status !== 'number' || d.status < 200 || d.status >= 300,
      ).length;

      const problems = await duplicates(db, emulator, period, { charges, links });
      if (statements.matching !== 1)
        problems.push(`${statements.matching} statements inserted orders`);
      if (rerunCalls !== 0) problems.push(`the re-run made ${rerunCalls} Stripe calls`);
      if (rerunStatements.matching !== 0)
        problems.push(`the re-run sent ${rerunStatements.matching} order inserts`);
      if (failedDeliveries !== 0) problems.push(`${failedDeliveries} webhook deliveries failed`);
      const other = requests.filter((r) => !(r.method === 'POST' && CREATING.has(r.path)));
      if (other.length > 0)
        problems.push(
          `other Stripe calls: ${[...new Set(other.map((r) => `${r.method} ${r.path}`))].join(', ')}`,
        );
      for (const problem of problems) log(`month_run: ${problem}`);

      const seconds = elapsedMs / 1000;
      const stripeFloor = (charges + links + prices) / EMULATOR_RATE_PER_SECOND;
      const floor = stripeFloor + raw.median / 1000;
      const ratio = seconds / floor;
      log(
        `month_run: ${seconds.toFixed(2)} s (prepare ≈ ${((firstCall - started) / 1000).toFixed(2)} s, ` +
          `Stripe ${((lastCall - firstCall) / 1000).toFixed(2)} s at ${(requests.length / ((lastCall - firstCall) / 1000)).toFixed(1)} calls/s, finish ≈ ${((started + elapsedMs - lastCall) / 1000).toFixed(2)} s); ` +
          `${charges} charges, ${links} links, ${prices} prices, ${rateLimited} × 429; floor ${floor.toFixed(2)} s; ` +
          `webhooks done ${(webhooksLagMs / 1000).toFixed(1)} s after the run`,
      );
      return [
        {
          name: 'month_run',
          value: round(seconds),
          unit: 's',
          lower_bound: round(floor),
          ratio: round(ratio),
          budget: `≤ ${BUDGET_RATIO}× the floor; 0 duplicates; orders in 1 statement`,
          pass: ratio <= BUDGET_RATIO && problems.length === 0,
          note:
            `${raw.orders} orders (${SEED.cardPlayers} players with a card), ${charges} charges + ${links} links + ${prices} prices ` +
            `at ${EMULATOR_RATE_PER_SECOND} req/s + ${EMULATOR_LATENCY_MS} ms (service STRIPE_RATE_LIMIT_PER_SECOND=${APP_RATE_PER_SECOND}), ` +
            `${rateLimited} × 429; floor ${stripeFloor.toFixed(2)} s Stripe + ${raw.median.toFixed(0)} ms raw INSERT; ` +
            `prepare ≈ ${((firstCall - started) / 1000).toFixed(2)} s; ` +
            `${statements.matching} SQL statement inserted the orders (of ${statements.all} during the run, webhooks included); ` +
            `${deliveries.length} webhooks delivered, the last ${(webhooksLagMs / 1000).toFixed(1)} s after the run; ` +
            `re-run: ${rerunCalls} Stripe calls, ${rerunStatements.matching} order inserts; ` +
            (problems.length === 0
              ? `0 duplicates (1 order per billed player, 1 PaymentIntent per charged order, 1 active link per linked order, paid by webhook = charges)`
              : `PROBLEMS: ${problems.join('; ')}`),
        },
      ];
    } finally {
      await app?.close();
      for (const [key, value] of Object.entries(savedEnv))
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      await db.end();
      await emulator.close();
    }
  },
};

/**
 * What the measured club's Stripe account holds before its month: the monthly product and its
 * one price (made through the API; the seed's placeholder ids replaced by the emulator's), and
 * each card family's customer with its attached card under the seed's own ids (written into the
 * in-process emulator's state: 2 × 4,000 API calls would only slow the set-up).
 */
async function stripeAccount(db: Client, emulator: StripeEmulator): Promise<void> {
  const {
    rows: [monthly],
  } = await db.query<{ id: number; name: string; price_cents: number }>(
    `SELECT id, name, price_cents FROM products
     WHERE tenant_id = $1 AND category = 'monthly' AND active ORDER BY id LIMIT 1`,
    [MEASURED_TENANT],
  );
  const product = await post<{ id: string }>(emulator, '/v1/products', {
    name: monthly.name,
    'metadata[tenant_id]': String(MEASURED_TENANT),
  });
  const price = await post<{ id: string }>(emulator, '/v1/prices', {
    product: product.id,
    unit_amount: String(monthly.price_cents),
    currency: 'usd',
  });
  await db.query(`UPDATE products SET stripe_product_id = $2 WHERE id = $1`, [
    monthly.id,
    product.id,
  ]);
  await db.query(
    `UPDATE product_prices SET stripe_price_id = $3
     WHERE tenant_id = $1 AND product_id = $2 AND amount_cents = $4`,
    [MEASURED_TENANT, monthly.id, price.id, monthly.price_cents],
  );

  const state = (emulator as unknown as { state: EmulatorState }).state;
  const scratch = new EmulatorState(emulator.url);
  const { rows: parents } = await db.query<{
    id: number;
    email: string;
    name: string;
    customer: string;
    card: string;
  }>(
    `SELECT id, email, name, stripe_customer_id AS customer, autopay_payment_method_id AS card
     FROM parents WHERE tenant_id = $1 AND autopay_payment_method_id IS NOT NULL ORDER BY id`,
    [MEASURED_TENANT],
  );
  if (parents.length !== CARD_PARENTS)
    throw new Error(`month_run: ${parents.length} parents with a card, expected ${CARD_PARENTS}`);
  for (const [index, parent] of parents.entries()) {
    const ids = savedCardIds(MEASURED_TENANT, index + 1);
    if (ids.customer !== parent.customer || ids.paymentMethod !== parent.card)
      throw new Error(`month_run: parent ${parent.id} has unexpected Stripe ids`);
    const customer = {
      ...newCustomer(scratch, { email: parent.email, name: parent.name }),
      id: parent.customer,
    };
    customer.invoice_settings.default_payment_method = parent.card;
    const card = {
      ...newCardPaymentMethod('pm_card_visa', parent.email),
      id: parent.card,
      customer: parent.customer,
    };
    state.customers.set(customer.id, customer);
    state.paymentMethods.set(card.id, card);
  }
}

async function post<T>(emulator: StripeEmulator, p: string, body: Record<string, string>) {
  const response = await fetch(`${emulator.url}${p}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${EMULATOR_KEY}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(body),
  });
  if (!response.ok) throw new Error(`emulator answered ${response.status} to POST ${p}`);
  return (await response.json()) as T;
}

/**
 * The month after the measured club's current local month. Every club's current month is marked
 * billed (`done`), so the service's quarter-hourly tick finds nothing to do while the bench runs.
 */
async function measuredMonth(db: Client): Promise<string> {
  await db.query(
    `INSERT INTO billing_runs (tenant_id, period, run_on, status, started_at, finished_at)
     SELECT id, date_trunc('month', now() AT TIME ZONE timezone)::date, (now() AT TIME ZONE timezone)::date,
            'done', now(), now()
     FROM tenants
     ON CONFLICT (tenant_id, period) DO NOTHING`,
  );
  const {
    rows: [{ month }],
  } = await db.query<{ month: string }>(
    `SELECT to_char(now() AT TIME ZONE timezone, 'YYYY-MM') AS month FROM tenants WHERE id = $1`,
    [MEASURED_TENANT],
  );
  return addMonths(month, 1);
}

/**
 * The floor's SQL: the one INSERT of the period's orders (same rows, same unique key), through a
 * bare `pg` client, timed alone in a transaction that is rolled back; median of RAW_INSERT_RUNS.
 */
async function rawInsert(
  db: Client,
  period: string,
): Promise<{ orders: number; median: number; samples: number[] }> {
  const { rows } = await db.query<{
    player_id: number;
    parent_id: number;
    product_id: number;
    fee: number;
  }>(
    `SELECT pl.id AS player_id, pl.parent_id, m.id AS product_id,
            COALESCE(pl.monthly_fee_cents, t.monthly_fee_cents) AS fee
     FROM players pl
     JOIN teams t ON t.tenant_id = pl.tenant_id AND t.id = pl.team_id
     CROSS JOIN (SELECT id FROM products WHERE tenant_id = $1 AND category = 'monthly' AND active
                 ORDER BY id LIMIT 1) m
     WHERE pl.tenant_id = $1 AND pl.contract_status = 'signed'
     ORDER BY pl.id`,
    [MEASURED_TENANT],
  );
  if (rows.length !== SEED.players)
    throw new Error(`month_run: ${rows.length} signed players, expected ${SEED.players}`);
  const samples: number[] = [];
  for (let i = 0; i < RAW_INSERT_RUNS; i++) {
    await db.query('BEGIN');
    const started = process.hrtime.bigint();
    const result = await db.query(
      `INSERT INTO orders (tenant_id, player_id, parent_id, product_id, amount_cents, currency, billing_period, billing_run_id)
       SELECT $1, m.player_id, m.parent_id, m.product_id, m.amount_cents, m.currency, $2::date, NULL
       FROM unnest($3::int[], $4::int[], $5::int[], $6::int[], $7::text[])
         AS m (player_id, parent_id, product_id, amount_cents, currency)
       ON CONFLICT (tenant_id, player_id, product_id, billing_period)
         WHERE billing_period IS NOT NULL AND status <> 'cancelled' DO NOTHING
       RETURNING id`,
      [
        MEASURED_TENANT,
        period,
        rows.map((r) => r.player_id),
        rows.map((r) => r.parent_id),
        rows.map((r) => r.product_id),
        rows.map((r) => r.fee),
        rows.map(() => 'usd'),
      ],
    );
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
    await db.query('ROLLBACK');
    if (result.rowCount !== rows.length)
      throw new Error(`month_run: the raw INSERT made ${result.rowCount} orders`);
  }
  return { orders: rows.length, median: median(samples), samples };
}

/**
 * Exactly what the month must have made: one order per billed player, one PaymentIntent per
 * charged order (at Stripe and in charge_attempts), one active link per order not charged and
 * none on a charged one, and every charge's order paid by its webhook.
 */
async function duplicates(
  db: Client,
  emulator: StripeEmulator,
  period: string,
  made: { charges: number; links: number },
): Promise<string[]> {
  const problems: string[] = [];
  const {
    rows: [r],
  } = await db.query<{
    orders: number;
    players: number;
    paid: number;
    attempts: number;
    attempt_orders: number;
    succeeded: number;
    links: number;
    link_orders: number;
    unlinked: number;
    charged_linked: number;
    run_orders: number;
    run_charged: number;
    run_links: number;
    run_status: string;
  }>(
    `WITH o AS (SELECT * FROM orders WHERE tenant_id = $1 AND billing_period = $2::date)
     SELECT (SELECT count(*) FROM o)::int AS orders,
            (SELECT count(DISTINCT player_id) FROM o)::int AS players,
            (SELECT count(*) FROM o WHERE status = 'paid')::int AS paid,
            (SELECT count(*) FROM charge_attempts a JOIN o ON o.id = a.order_id WHERE a.tenant_id = $1)::int AS attempts,
            (SELECT count(DISTINCT a.order_id) FROM charge_attempts a JOIN o ON o.id = a.order_id WHERE a.tenant_id = $1)::int AS attempt_orders,
            (SELECT count(*) FROM charge_attempts a JOIN o ON o.id = a.order_id
              WHERE a.tenant_id = $1 AND a.status = 'succeeded')::int AS succeeded,
            (SELECT count(*) FROM payment_links l JOIN o ON o.id = l.order_id WHERE l.tenant_id = $1)::int AS links,
            (SELECT count(DISTINCT l.order_id) FROM payment_links l JOIN o ON o.id = l.order_id
              WHERE l.tenant_id = $1 AND l.status = 'active')::int AS link_orders,
            (SELECT count(*) FROM o WHERE status = 'pending' AND NOT EXISTS (
               SELECT 1 FROM payment_links l WHERE l.tenant_id = $1 AND l.order_id = o.id AND l.status = 'active'))::int AS unlinked,
            (SELECT count(*) FROM o WHERE EXISTS (SELECT 1 FROM charge_attempts a WHERE a.tenant_id = $1 AND a.order_id = o.id)
               AND EXISTS (SELECT 1 FROM payment_links l WHERE l.tenant_id = $1 AND l.order_id = o.id))::int AS charged_linked,
            r.orders_created AS run_orders, r.charged AS run_charged, r.links_minted AS run_links,
            r.status::text AS run_status
     FROM billing_runs r WHERE r.tenant_id = $1 AND r.period = $2::date`,
    [MEASURED_TENANT, period],
  );
  const billed = SEED.players;
  const carded = SEED.cardPlayers;
  if (r.orders !== billed || r.players !== billed)
    problems.push(`${r.orders} orders for ${r.players} players (${billed} billed)`);
  if (made.charges !== carded || r.attempts !== carded || r.attempt_orders !== carded)
    problems.push(
      `${made.charges} PaymentIntents made, ${r.attempts} charge attempts on ${r.attempt_orders} orders (${carded} cards)`,
    );
  if (r.succeeded !== carded) problems.push(`${r.succeeded} charges succeeded of ${carded}`);
  if (r.paid !== carded) problems.push(`${r.paid} orders paid by webhook of ${carded} charged`);
  const unlinkedExpected = billed - carded;
  if (made.links !== unlinkedExpected || r.links !== unlinkedExpected)
    problems.push(
      `${made.links} Stripe links, ${r.links} payment_links rows (${unlinkedExpected})`,
    );
  if (r.link_orders !== unlinkedExpected || r.unlinked !== 0)
    problems.push(`${r.link_orders} orders with an active link, ${r.unlinked} owed without`);
  if (r.charged_linked !== 0) problems.push(`${r.charged_linked} charged orders also got a link`);
  if (r.run_status !== 'done' || r.run_orders !== billed || r.run_charged !== carded)
    problems.push(
      `billing run ${r.run_status}: ${r.run_orders} orders, ${r.run_charged} charged, ${r.run_links} links`,
    );

  // Stripe's side: the club's PaymentIntents of the period, one per order.
  const state = (emulator as unknown as { state: EmulatorState }).state;
  const intents = [...state.paymentIntents.values()].filter(
    (pi) =>
      pi.metadata.tenant_id === String(MEASURED_TENANT) && pi.metadata.billing_period === period,
  );
  const intentOrders = new Set(intents.map((pi) => pi.metadata.order_id));
  if (intents.length !== carded || intentOrders.size !== carded)
    problems.push(`${intents.length} PaymentIntents at Stripe for ${intentOrders.size} orders`);
  return problems;
}
