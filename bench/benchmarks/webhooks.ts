import { createServer, type Server } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { Client, Pool } from 'pg';
import { databaseConfig } from '../../src/config';
import {
  EMULATED_API_VERSION,
  newWebhookSecret,
  type CheckoutSession,
  type StripeEvent,
} from '../../src/stripe-emulator';
import { startApp, type BenchApp } from '../lib/app';
import type { Benchmark } from '../lib/context';
import { freePort } from '../../test/support/ports';
import { median, round } from '../lib/measure';
import { countQueries } from '../lib/query-counter';
import type { BurstResult, WebhookBurst } from '../lib/webhook-sender.worker';
import { MEASURED_TENANT } from '../seed';

const EVENTS_PER_RUN = 10_000;
const CLIENTS = 32;
/** The app and the sender share it as Stripe and an endpoint do; random, like `npm start`'s. */
const WEBHOOK_SECRET = newWebhookSecret();
const WARMUP_EVENTS = 1_000;
/** Measured runs per database copy: the measured club's 40,000 owed orders, cut in slices. */
const RUNS_PER_COPY = [3, 2];
/** Owed orders the runs never use: the warm-up's, then the one whose queries are counted. */
const WARMUP_FIRST_ORDER = 30_001;
const COUNTED_ORDER = 40_000;

interface OwedOrder {
  id: number;
  playerId: number;
  productId: number;
  amountCents: number;
  link: string;
}

/** One signed delivery, as Stripe would POST it. */
interface Delivery {
  order: OwedOrder;
  eventId: string;
  sessionId: string;
  paymentIntentId: string;
  body: string;
}

interface RunResult {
  eventsPerSecond: number;
  latencies: number[];
}

/**
 * 10,000 distinct signed `checkout.session.completed` events for 10,000 owed orders, POSTed to
 * /webhooks/stripe by 32 keep-alive clients, against a bare `pg` script that does the same
 * transitions (event insert + guarded order update, one transaction each) with the app's pool
 * size. Every run gets orders nobody paid yet (a slice of a fresh database copy); the floor and
 * Courtside take turns run by run; Stripe's side runs in a worker thread, off the app's event loop.
 */
export const webhooks: Benchmark = {
  name: 'webhooks',
  async run({ pg, log }) {
    const poolSize = databaseConfig().poolSize;
    // startApp writes its configuration into process.env; the benchmarks after this one keep theirs.
    const savedEnv = { MAIL_TRANSPORT: process.env.MAIL_TRANSPORT, DATA_DIR: process.env.DATA_DIR };
    const stripe = await startStripeStandIn();
    const dataDir = mkdtempSync(path.join(tmpdir(), 'courtside-bench-webhooks-'));
    const bare: RunResult[] = [];
    const courtside: RunResult[] = [];
    const problems: string[] = [];
    let queries = { sql: 0, jobs: 0 };
    try {
      for (const [copy, runs] of RUNS_PER_COPY.entries()) {
        const tag = `${copy}`;
        const floor = await bareFloor(await pg.copy(`bench_webhooks_bare_${copy}`), poolSize);
        const app = await startApp({
          databaseUrl: await pg.copy(`bench_webhooks_app_${copy}`),
          stripe: { apiUrl: stripe.url, webhookSecrets: [WEBHOOK_SECRET] },
          env: { MAIL_TRANSPORT: 'outbox', DATA_DIR: dataDir },
        });
        const stripeSide = startSender(app.url);
        try {
          const owed = await owedOrders(app);
          if (copy === 0)
            queries = await countDelivery(stripeSide, owed.get(COUNTED_ORDER)!, problems);
          const warmUp = deliveries(owed, WARMUP_FIRST_ORDER, WARMUP_EVENTS, tag);
          await floor.transitionAll(warmUp);
          await stripeSide.send(warmUp);
          // Run by run, the floor then Courtside, so that a busy neighbour slows both alike.
          for (let run = 0; run < runs; run++) {
            const batch = deliveries(owed, sliceStart(run), EVENTS_PER_RUN, tag);
            const floorRun = await floor.transitionAll(batch);
            problems.push(...(await floor.check(batch)));
            const appRun = await deliver(app, stripeSide, batch, problems);
            bare.push(floorRun);
            courtside.push(appRun);
            log(
              `webhooks: copy ${copy} run ${run + 1}: bare ${Math.round(floorRun.eventsPerSecond)}, ` +
                `Courtside ${Math.round(appRun.eventsPerSecond)} events/s`,
            );
          }
        } finally {
          await stripeSide.close();
          await app.close();
          await floor.close();
        }
      }
    } finally {
      await closeServer(stripe.server);
      rmSync(dataDir, { recursive: true, force: true });
      for (const [name, value] of Object.entries(savedEnv))
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
    }
    const value = median(courtside.map((r) => r.eventsPerSecond));
    const bound = median(bare.map((r) => r.eventsPerSecond));
    const ratio = value / bound;
    const latencies = courtside.flatMap((r) => r.latencies).sort((a, b) => a - b);
    const bareLatencies = bare.flatMap((r) => r.latencies).sort((a, b) => a - b);
    for (const problem of problems) log(`webhooks: ${problem}`);
    return [
      {
        name: 'webhooks',
        value: round(value, 0),
        unit: 'events/s',
        lower_bound: round(bound, 0),
        ratio: round(ratio),
        budget: '≥ 0.4× the bare rate; 0 lost or doubled',
        pass: ratio >= 0.4 && problems.length === 0,
        note:
          `${EVENTS_PER_RUN} events × ${courtside.length} runs, ${CLIENTS} clients, pool ${poolSize}; ` +
          `latency p50 ${ms(percentile(latencies, 0.5))} / p99 ${ms(percentile(latencies, 0.99))} ms ` +
          `(bare p50 ${ms(percentile(bareLatencies, 0.5))} / p99 ${ms(percentile(bareLatencies, 0.99))} ms); ` +
          `${queries.sql} SQL statements + ${queries.jobs} job insert per event; ` +
          `runs ${rates(courtside)} vs bare ${rates(bare)} events/s; ` +
          (problems.length === 0
            ? '0 lost or doubled'
            : `${problems.length} PROBLEMS: ${problems.join('; ')}`),
      },
    ];
  },
};

/** The measured club's owed orders by id (identical in every copy of the template). */
async function owedOrders(app: BenchApp): Promise<Map<number, OwedOrder>> {
  const rows = (await app.db.query(
    `SELECT id, player_id, product_id, amount_cents, stripe_payment_link_id FROM orders
     WHERE tenant_id = $1 AND status = 'pending' ORDER BY id`,
    [MEASURED_TENANT],
  )) as {
    id: number;
    player_id: number;
    product_id: number;
    amount_cents: number;
    stripe_payment_link_id: string;
  }[];
  return new Map(
    rows.map((row) => [
      row.id,
      {
        id: row.id,
        playerId: row.player_id,
        productId: row.product_id,
        amountCents: row.amount_cents,
        link: row.stripe_payment_link_id,
      },
    ]),
  );
}

/** Orders first..first+count-1, each with its own event, session and PaymentIntent. */
function deliveries(
  owed: Map<number, OwedOrder>,
  first: number,
  count: number,
  tag: string,
): Delivery[] {
  const created = Math.floor(Date.now() / 1000);
  return Array.from({ length: count }, (_, i) => {
    const order = owed.get(first + i);
    if (!order) throw new Error(`the data set has no owed order ${first + i}`);
    const key = `${tag}x${String(order.id).padStart(8, '0')}`;
    const delivery = {
      order,
      eventId: `evt_1Bench${key}`,
      sessionId: `cs_test_a1Bench${key}`,
      paymentIntentId: `pi_3Bench${key}`,
    };
    return { ...delivery, body: JSON.stringify(completedEvent(delivery, created), null, 2) };
  });
}

/** A card payment's `checkout.session.completed`, shaped as the emulator (and Stripe) sends it. */
function completedEvent(delivery: Omit<Delivery, 'body'>, created: number): StripeEvent {
  const { order } = delivery;
  const session: CheckoutSession = {
    id: delivery.sessionId,
    object: 'checkout.session',
    after_expiration: null,
    allow_promotion_codes: null,
    amount_subtotal: order.amountCents,
    amount_total: order.amountCents,
    automatic_tax: { enabled: false, liability: null, status: null },
    billing_address_collection: null,
    cancel_url: null,
    client_reference_id: null,
    client_secret: null,
    consent: null,
    consent_collection: null,
    created: created - 60,
    currency: 'usd',
    custom_fields: [],
    customer: null,
    customer_creation: 'if_required',
    customer_details: {
      address: null,
      email: `parent${order.id}@bench.example`,
      name: null,
      phone: null,
      tax_exempt: 'none',
      tax_ids: [],
    },
    customer_email: null,
    expires_at: created + 24 * 60 * 60,
    invoice: null,
    livemode: false,
    locale: null,
    metadata: {
      tenant_id: String(MEASURED_TENANT),
      order_id: String(order.id),
      player_id: String(order.playerId),
      product_id: String(order.productId),
    },
    mode: 'payment',
    payment_intent: delivery.paymentIntentId,
    payment_link: order.link,
    payment_method_collection: 'if_required',
    payment_method_types: ['card'],
    payment_status: 'paid',
    recovered_from: null,
    setup_intent: null,
    shipping_address_collection: null,
    shipping_cost: null,
    shipping_options: [],
    status: 'complete',
    submit_type: null,
    subscription: null,
    success_url: null,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    ui_mode: 'hosted',
    url: null,
  };
  return {
    id: delivery.eventId,
    object: 'event',
    api_version: EMULATED_API_VERSION,
    created,
    data: { object: session },
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type: 'checkout.session.completed',
  };
}

/** First order of measured run `run` of a copy: runs take the slices before the warm-up's. */
const sliceStart = (run: number): number => run * EVENTS_PER_RUN + 1;

/** One measured run against the app, checked for lost or doubled transitions. */
async function deliver(
  app: BenchApp,
  stripeSide: Sender,
  batch: Delivery[],
  problems: string[],
): Promise<RunResult> {
  const result = await stripeSide.send(batch);
  const refused = result.outcomes.filter((outcome) => outcome !== 'processed');
  if (refused.length > 0)
    problems.push(`${refused.length} deliveries not processed, e.g. ${refused[0]}`);
  problems.push(...(await checkTransitions(app, batch)));
  return { eventsPerSecond: batch.length / result.seconds, latencies: result.latencies };
}

/** Zero lost or doubled: each order paid once, each event processed, one `order.paid` each. */
async function checkTransitions(app: BenchApp, batch: Delivery[]): Promise<string[]> {
  const orderIds = batch.map((d) => d.order.id);
  const [{ paid, processed, audited, audited_orders }] = (await app.db.query(
    `SELECT
       (SELECT count(*)::int FROM orders WHERE tenant_id = $1 AND id = ANY($2) AND status = 'paid'
          AND stripe_payment_intent_id IS NOT NULL) AS paid,
       (SELECT count(*)::int FROM stripe_events WHERE id = ANY($3) AND outcome = 'processed') AS processed,
       (SELECT count(*)::int FROM audit_log WHERE tenant_id = $1 AND action = 'order.paid'
          AND subject = ANY($4)) AS audited,
       (SELECT count(DISTINCT subject)::int FROM audit_log WHERE tenant_id = $1
          AND action = 'order.paid' AND subject = ANY($4)) AS audited_orders`,
    [MEASURED_TENANT, orderIds, batch.map((d) => d.eventId), orderIds.map((id) => `order:${id}`)],
  )) as { paid: number; processed: number; audited: number; audited_orders: number }[];
  const expected = batch.length;
  const problems: string[] = [];
  if (paid !== expected) problems.push(`${paid} of ${expected} orders paid`);
  if (processed !== expected) problems.push(`${processed} of ${expected} events processed`);
  if (audited !== expected || audited_orders !== expected)
    problems.push(`${audited} order.paid audit rows for ${audited_orders} of ${expected} orders`);
  return problems;
}

/** SQL statements (and job inserts, which the counter leaves out with pg-boss's polling) of one delivery. */
async function countDelivery(
  stripeSide: Sender,
  order: OwedOrder,
  problems: string[],
): Promise<{ sql: number; jobs: number }> {
  const batch = deliveries(new Map([[order.id, order]]), order.id, 1, 'count');
  const prototype = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  let jobs = 0;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    const [first] = args;
    const text = typeof first === 'string' ? first : ((first as { text?: string })?.text ?? '');
    if (/INSERT INTO \w+\.job\b/.test(text)) jobs++;
    return original.apply(this, args);
  };
  try {
    let outcome = '';
    const sql = await countQueries(async () => {
      [outcome] = (await stripeSide.send(batch)).outcomes;
    });
    if (outcome !== 'processed') problems.push(`the counted delivery came to ${outcome}`);
    return { sql, jobs };
  } finally {
    prototype.query = original;
  }
}

/** The bare floor: the same transitions through `pg` alone, same clients, same pool size. */
async function bareFloor(
  databaseUrl: string,
  poolSize: number,
): Promise<{
  transitionAll(batch: Delivery[]): Promise<RunResult>;
  check(batch: Delivery[]): Promise<string[]>;
  close(): Promise<void>;
}> {
  const pool = new Pool({ connectionString: databaseUrl, max: poolSize });
  const transition = async (delivery: Delivery): Promise<void> => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        `INSERT INTO stripe_events (id, type, livemode, payload) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO NOTHING`,
        [delivery.eventId, 'checkout.session.completed', false, delivery.body],
      );
      await client.query(
        `UPDATE orders SET status = 'paid', amount_paid_cents = $3, stripe_payment_intent_id = $4,
                           stripe_checkout_session_id = $5, paid_at = now(), updated_at = now()
         WHERE id = $1 AND tenant_id = $2 AND status IN ('pending', 'failed')`,
        [
          delivery.order.id,
          MEASURED_TENANT,
          delivery.order.amountCents,
          delivery.paymentIntentId,
          delivery.sessionId,
        ],
      );
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK');
      throw error;
    } finally {
      client.release();
    }
  };
  return {
    transitionAll: (batch) => transitionAll(batch, transition),
    check: async (batch) => {
      const { rows } = await pool.query<{ paid: number }>(
        `SELECT count(*)::int AS paid FROM orders WHERE tenant_id = $1 AND id = ANY($2) AND status = 'paid'`,
        [MEASURED_TENANT, batch.map((d) => d.order.id)],
      );
      return rows[0].paid === batch.length
        ? []
        : [`bare run: ${rows[0].paid} of ${batch.length} orders paid`];
    },
    close: () => pool.end(),
  };
}

/** `CLIENTS` loops, each starting its next transition when the last one committed. */
async function transitionAll(
  batch: Delivery[],
  transition: (delivery: Delivery) => Promise<void>,
): Promise<RunResult> {
  const latencies = new Array<number>(batch.length);
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (next < batch.length) {
        const i = next++;
        const sent = process.hrtime.bigint();
        await transition(batch[i]);
        latencies[i] = Number(process.hrtime.bigint() - sent) / 1e6;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { eventsPerSecond: batch.length / seconds, latencies };
}

interface Sender {
  send(batch: Delivery[]): Promise<BurstResult>;
  close(): Promise<void>;
}

/** Stripe's side in a worker thread (bench/lib/webhook-sender.worker.ts), not on the app's event loop. */
function startSender(appUrl: string): Sender {
  const worker = new Worker(path.resolve(__dirname, '../lib/webhook-sender.worker.js'));
  return {
    send: (batch) =>
      new Promise((resolve, reject) => {
        const burst: WebhookBurst = {
          url: new URL('/webhooks/stripe', appUrl).toString(),
          secret: WEBHOOK_SECRET,
          clients: CLIENTS,
          bodies: batch.map((delivery) => delivery.body),
        };
        const settle = () => {
          worker.off('message', onMessage);
          worker.off('error', onError);
        };
        const onMessage = (result: BurstResult) => (settle(), resolve(result));
        const onError = (error: Error) => (settle(), reject(error));
        worker.on('message', onMessage);
        worker.on('error', onError);
        worker.postMessage(burst);
      }),
    close: async () => {
      await worker.terminate();
    },
  };
}

/**
 * Stripe for the jobs a payment queues (deactivating its link): every call succeeds at once, so
 * the workers run as they would in production without the benchmark reaching the internet.
 */
async function startStripeStandIn(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const id = req.url?.split('?')[0].split('/').pop() ?? 'unknown';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id, object: 'payment_link', active: false, livemode: false }));
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${port}`, server };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const ms = (value: number): string => value.toFixed(1);

const rates = (runs: readonly RunResult[]): string =>
  runs.map((run) => Math.round(run.eventsPerSecond)).join('/');
