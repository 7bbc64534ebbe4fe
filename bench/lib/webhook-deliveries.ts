import type { Pool } from 'pg';
import {
  EMULATED_API_VERSION,
  type CheckoutSession,
  type StripeEvent,
} from '../../src/stripe-emulator';
import { MEASURED_TENANT } from '../seed';
import { totalCpuSeconds } from './process-cpu';
import { median } from './measure';
import type { WebhookSender } from './webhook-sender';

/**
 * What the `webhooks` and `scale_out` benchmarks send and check: signed
 * `checkout.session.completed` deliveries for the measured club's owed orders, and the proof
 * that each paid its order exactly once.
 */

/** Events of one measured run (docs/performance.md: 10,000); BENCH_WEBHOOK_EVENTS, smaller, to try the bench out. */
export const EVENTS_PER_RUN = eventsPerRun(process.env.BENCH_WEBHOOK_EVENTS);
export const CLIENTS = 32;
export const WARMUP_EVENTS = Math.min(1_000, EVENTS_PER_RUN);
/** The payment link deactivation each payment queues (LinkRetirementService). */
export const DEACTIVATE_QUEUE = 'payment-link.deactivate';

/**
 * The measured club's 40,000 owed orders in a database copy, cut in slices: three measured runs
 * (1–30,000), then warm-ups of WARMUP_EVENTS each, then the one whose statements are counted.
 */
const MEASURED_SLICES = 3;
const FIRST_WARMUP_ORDER = 30_001;
export const COUNTED_ORDER = 40_000;

export interface OwedOrder {
  id: number;
  playerId: number;
  productId: number;
  amountCents: number;
  link: string;
}

/** One signed delivery, as Stripe would POST it. */
export interface Delivery {
  order: OwedOrder;
  eventId: string;
  sessionId: string;
  paymentIntentId: string;
  body: string;
}

export interface RunResult {
  eventsPerSecond: number;
  /** Milliseconds from sending a delivery to its whole answer. */
  latencies: number[];
  /**
   * CPU milliseconds the receiving processes used per event while the run's deliveries were
   * sent (their job workers' included); NaN where /proc cannot be read.
   */
  cpuMsPerEvent: number;
}

function eventsPerRun(setting: string | undefined): number {
  if (setting === undefined) return 10_000;
  const events = Number(setting);
  if (!Number.isInteger(events) || events < 1 || events > 10_000)
    throw new Error(`BENCH_WEBHOOK_EVENTS must be a whole number from 1 to 10000, not ${setting}`);
  return events;
}

/** Measured run `run` of a copy (0, 1 or 2): its deliveries. */
export function measuredSlice(owed: Map<number, OwedOrder>, run: number, tag: string): Delivery[] {
  if (run >= MEASURED_SLICES)
    throw new Error(`a database copy has ${MEASURED_SLICES} measured runs`);
  return deliveries(owed, run * 10_000 + 1, EVENTS_PER_RUN, tag);
}

/**
 * Warm-up slices `n`…`n + count - 1` of a copy (9 in all, WARMUP_EVENTS each): their deliveries,
 * apart from every measured run's.
 */
export function warmUpSlice(
  owed: Map<number, OwedOrder>,
  n: number,
  tag: string,
  count = 1,
): Delivery[] {
  const first = FIRST_WARMUP_ORDER + n * WARMUP_EVENTS;
  if (first + count * WARMUP_EVENTS > COUNTED_ORDER)
    throw new Error(`no owed orders left for warm-up slices ${n}–${n + count - 1}`);
  return deliveries(owed, first, count * WARMUP_EVENTS, tag);
}

/** The measured club's owed orders by id (identical in every copy of the template). */
export async function owedOrders(db: Pool): Promise<Map<number, OwedOrder>> {
  const { rows } = await db.query<{
    id: number;
    player_id: number;
    product_id: number;
    amount_cents: number;
    stripe_payment_link_id: string;
  }>(
    `SELECT id, player_id, product_id, amount_cents, stripe_payment_link_id FROM orders
     WHERE tenant_id = $1 AND status = 'pending' ORDER BY id`,
    [MEASURED_TENANT],
  );
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
export function deliveries(
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

/**
 * One run: every delivery POSTed to the endpoints, then checked (problems named after `who`):
 * each answered `processed`, and each order paid exactly once (checkPayments).
 */
export async function deliverAndCheck(
  who: string,
  sender: WebhookSender,
  endpoints: Pick<WebhookEndpoints, 'urls' | 'pids'>,
  batch: Delivery[],
  db: Pool,
  problems: string[],
): Promise<RunResult> {
  const cpuBefore = totalCpuSeconds(endpoints.pids) ?? NaN;
  const result = await sender.send(
    endpoints.urls,
    batch.map((delivery) => delivery.body),
  );
  const cpuSeconds = (totalCpuSeconds(endpoints.pids) ?? NaN) - cpuBefore;
  const refused = result.outcomes.filter((outcome) => outcome !== 'processed');
  if (refused.length > 0)
    problems.push(`${who}: ${refused.length} deliveries not processed, e.g. ${refused[0]}`);
  problems.push(...(await checkPayments(db, batch)).map((problem) => `${who}: ${problem}`));
  return {
    eventsPerSecond: batch.length / result.seconds,
    latencies: result.latencies,
    cpuMsPerEvent: (cpuSeconds * 1000) / batch.length,
  };
}

/**
 * Zero lost or doubled: each order paid, each event processed, one `order.paid` audit row per
 * order, each link retired, one deactivation job per link.
 */
export async function checkPayments(db: Pool, batch: Delivery[]): Promise<string[]> {
  const orderIds = batch.map((d) => d.order.id);
  const links = batch.map((d) => d.order.link);
  const { rows } = await db.query<{
    paid: number;
    processed: number;
    audited: number;
    audited_orders: number;
    retired: number;
    jobs: number;
    job_links: number;
  }>(
    `WITH jobs AS (
       SELECT j.data ->> 'stripePaymentLinkId' AS link
       FROM (SELECT data FROM pgboss.job WHERE name = $6
             UNION ALL SELECT data FROM pgboss.archive WHERE name = $6) j
       JOIN unnest($5::text[]) AS wanted(link) ON wanted.link = j.data ->> 'stripePaymentLinkId'
       WHERE (j.data ->> 'tenantId')::int = $1
     )
     SELECT
       (SELECT count(*)::int FROM orders WHERE tenant_id = $1 AND id = ANY($2) AND status = 'paid'
          AND stripe_payment_intent_id IS NOT NULL) AS paid,
       (SELECT count(*)::int FROM stripe_events WHERE id = ANY($3) AND outcome = 'processed') AS processed,
       (SELECT count(*)::int FROM audit_log WHERE tenant_id = $1 AND action = 'order.paid'
          AND subject = ANY($4)) AS audited,
       (SELECT count(DISTINCT subject)::int FROM audit_log WHERE tenant_id = $1
          AND action = 'order.paid' AND subject = ANY($4)) AS audited_orders,
       (SELECT count(*)::int FROM payment_links WHERE tenant_id = $1
          AND stripe_payment_link_id = ANY($5) AND status = 'paid') AS retired,
       (SELECT count(*)::int FROM jobs) AS jobs,
       (SELECT count(DISTINCT link)::int FROM jobs) AS job_links`,
    [
      MEASURED_TENANT,
      orderIds,
      batch.map((d) => d.eventId),
      orderIds.map((id) => `order:${id}`),
      links,
      DEACTIVATE_QUEUE,
    ],
  );
  const [found] = rows;
  const expected = batch.length;
  const problems: string[] = [];
  if (found.paid !== expected) problems.push(`${found.paid} of ${expected} orders paid`);
  if (found.processed !== expected)
    problems.push(`${found.processed} of ${expected} events processed`);
  if (found.audited !== expected || found.audited_orders !== expected)
    problems.push(
      `${found.audited} order.paid audit rows for ${found.audited_orders} of ${expected} orders`,
    );
  if (found.retired !== expected) problems.push(`${found.retired} of ${expected} links retired`);
  if (found.jobs !== expected || found.job_links !== expected)
    problems.push(`${found.jobs} deactivation jobs for ${found.job_links} of ${expected} links`);
  return problems;
}

/** The route Stripe posts to, on a receiver at `base`. */
export const webhookUrl = (base: string): string => new URL('/webhooks/stripe', base).toString();

/** Receivers of one run (the service's processes, or the floor) on one database. */
export interface WebhookEndpoints {
  /** Their webhook URLs: the sender spreads its clients over them. */
  urls: string[];
  /** Their processes, whose CPU time is measured. */
  pids: number[];
  close(): Promise<void>;
}

/**
 * One measured run on receivers started for it alone, so that nothing of another run (the
 * workers of the jobs it queued) shares the machine with it: `first` (a statement count, on the
 * cold receivers), a warm-up on `warmUp`, then `batch`, each checked (deliverAndCheck); then the
 * receivers are closed.
 */
export async function runOnFresh<E extends WebhookEndpoints>(run: {
  who: string;
  start: () => Promise<E>;
  first?: (endpoints: E) => Promise<void>;
  sender: WebhookSender;
  warmUp: Delivery[];
  batch: Delivery[];
  db: Pool;
  problems: string[];
}): Promise<RunResult> {
  const endpoints = await run.start();
  try {
    await run.first?.(endpoints);
    const { sender, db, problems } = run;
    await deliverAndCheck(`${run.who} warm-up`, sender, endpoints, run.warmUp, db, problems);
    return await deliverAndCheck(run.who, sender, endpoints, run.batch, db, problems);
  } finally {
    await endpoints.close();
  }
}

/** Something that counts the SQL statements it sends (AppProcess, BareWebhookReceiver). */
export interface StatementCounter {
  countStatements(
    pattern: RegExp,
    work: () => Promise<void>,
  ): Promise<{ all: number; matching: number }>;
}

/** Job inserts, which a statement count leaves out with pg-boss's own polling. */
const JOB_INSERT = /INSERT INTO \w+\.job\b/;

/** The SQL statements (and, apart, job inserts) that one delivery to `urls` costs `counter`. */
export async function countDelivery(
  counter: StatementCounter,
  sender: WebhookSender,
  urls: string[],
  order: OwedOrder,
  tag: string,
  problems: string[],
): Promise<{ sql: number; jobs: number }> {
  const [delivery] = deliveries(new Map([[order.id, order]]), order.id, 1, tag);
  let outcome = '';
  const { all, matching } = await counter.countStatements(JOB_INSERT, async () => {
    [outcome] = (await sender.send(urls.slice(0, 1), [delivery.body])).outcomes;
  });
  if (outcome !== 'processed') problems.push(`the counted delivery came to ${outcome}`);
  return { sql: all, jobs: matching };
}

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

/** p50 / p99 of every delivery of `runs`, in milliseconds. */
export function latencyNote(runs: readonly RunResult[]): string {
  const sorted = runs.flatMap((run) => run.latencies).sort((a, b) => a - b);
  const ms = (p: number) => percentile(sorted, p).toFixed(1);
  return `p50 ${ms(0.5)} / p99 ${ms(0.99)} ms`;
}

/** The median CPU milliseconds per event of `runs`. */
export const cpuNote = (runs: readonly RunResult[]): string =>
  `${median(runs.map((run) => run.cpuMsPerEvent)).toFixed(2)} ms`;

export const rates = (runs: readonly RunResult[]): string =>
  runs.map((run) => Math.round(run.eventsPerSecond)).join('/');
