import { spawn } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { newWebhookSecret, StripeEmulator, type RecordedRequest } from '../../src/stripe-emulator';
import type { Benchmark } from '../lib/context';
import { median, round } from '../lib/measure';

const LINKS = 500;
const TIERS = [4_500, 4_000, 3_500];
const EMULATOR_RATE_PER_SECOND = 100;
const EMULATOR_LATENCY_MS = 20;
/**
 * The CLI's own pace: the emulator's whole limit. The limiter keeps each slot until a second
 * after its call answered, so the emulator (which counts a call when it arrives) never sees
 * more than this in a rolling second; no share needs keeping for anyone else in the bench.
 */
const CLI_RATE_PER_SECOND = EMULATOR_RATE_PER_SECOND;
const MEASURED_RUNS = 5;
const BUDGET_RATIO = 1.15;
const EMULATOR_KEY = 'sk_test_bench_backfill';
const CLI = path.resolve(__dirname, '../../src/cli.js');

interface CliReport {
  summary: Record<'done' | 'would_do' | 'unchanged' | 'skipped' | 'failed', number>;
  elapsed_ms: number;
}

interface BackfillRun {
  tenantId: number;
  report: CliReport;
  /** Every API call the emulator received during the run. */
  requests: RecordedRequest[];
  /** Whole process, Nest start-up included: context only. */
  processMs: number;
}

/**
 * `backfill:payment-links --commit` as an operator runs it (the built CLI, its own process) on a
 * fresh club owing 500 orders over one product at 3 amounts, against an in-process Stripe
 * emulator limited to 100 calls per rolling second with 20 ms per call. The lower bound is
 * that limit's floor: (links + price tiers) ÷ 100 s. The product already exists at Stripe
 * (created untimed), as it does for any club that has sold it before.
 */
export const backfill: Benchmark = {
  name: 'backfill',
  async run({ pg, log }) {
    const databaseUrl = await pg.copy('bench_backfill');
    const emulator = await StripeEmulator.start({
      webhookSecret: newWebhookSecret(),
      rateLimitPerSecond: EMULATOR_RATE_PER_SECOND,
      latencyMs: EMULATOR_LATENCY_MS,
    });
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    const runs: BackfillRun[] = [];
    let clubs = 0;
    const run = async () => {
      const tenantId = await owingClub(db, emulator, `bench-backfill-${++clubs}`);
      // The setup's own call leaves the emulator's rolling second before the clock starts.
      await new Promise((resolve) => setTimeout(resolve, 1100));
      const result = await backfillOnce(databaseUrl, emulator, tenantId, `bench-backfill-${clubs}`);
      runs.push(result);
      log(
        `backfill: ${result.report.summary.done} done, ${result.report.summary.failed} failed in ${(result.report.elapsed_ms / 1000).toFixed(2)} s (process ${(result.processMs / 1000).toFixed(2)} s, ${result.requests.length} Stripe calls, ${count429(result.requests)} × 429)`,
      );
      return result;
    };
    try {
      await run(); // warm-up: page cache, the CLI's compiled code, the emulator's JIT
      const measured: BackfillRun[] = [];
      for (let i = 0; i < MEASURED_RUNS; i++) measured.push(await run());

      emulator.injectFault({ method: 'POST', path: /^\/v1\//, kind: '500', every: 20 });
      const faulty = await run();
      emulator.clearFaults();

      const problems: string[] = [];
      for (const r of runs) problems.push(...(await duplicates(db, r)));
      problems.push(...(await emulatorLinkCounts(emulator, runs)));
      for (const problem of problems) log(`backfill: ${problem}`);

      const elapsed = measured.map((r) => r.report.elapsed_ms / 1000);
      const seconds = median(elapsed);
      const floor = (LINKS + TIERS.length) / EMULATOR_RATE_PER_SECOND;
      const ratio = seconds / floor;
      const measuredCalls = measured.map((r) => r.requests.length);
      const rateLimited = runs.reduce((sum, r) => sum + count429(r.requests), 0);
      const faultyFailed = faulty.report.summary.failed;
      const injected = faulty.requests.filter((r) => r.status === 500).length;
      return [
        {
          name: 'backfill',
          value: round(seconds),
          unit: 's',
          lower_bound: round(floor),
          ratio: round(ratio),
          budget: `≤ ${BUDGET_RATIO}× the floor; 0 failures with 5% 500s; 0 duplicates`,
          pass: ratio <= BUDGET_RATIO && faultyFailed === 0 && problems.length === 0,
          note:
            `${LINKS} links, ${TIERS.length} tiers at ${EMULATOR_RATE_PER_SECOND} req/s + ${EMULATOR_LATENCY_MS} ms; ` +
            `CLI: STRIPE_RATE_LIMIT_PER_SECOND=${CLI_RATE_PER_SECOND}, default --concurrency; ` +
            `${measuredCalls.join('/')} Stripe calls per run, ${rateLimited} × 429 in all runs; ` +
            `runs ${elapsed.map((s) => s.toFixed(2)).join('/')} s (operation; process incl. start-up ${measured.map((r) => (r.processMs / 1000).toFixed(1)).join('/')} s); ` +
            `5% 500s: ${injected} injected, ${faultyFailed} failed, ${(faulty.report.elapsed_ms / 1000).toFixed(2)} s; ` +
            (problems.length === 0
              ? `0 duplicates (Stripe links, prices, payment_links rows, active per order)`
              : `PROBLEMS: ${problems.join('; ')}`),
        },
      ];
    } finally {
      await db.end();
      await emulator.close();
    }
  },
};

/**
 * A new club owing LINKS orders (one per player, players not signed, so no first months are
 * due) for one product whose Stripe Product exists, at TIERS amounts: only the orders are
 * candidates, and the backfill makes one price per tier and one link per order.
 */
async function owingClub(db: Client, emulator: StripeEmulator, slug: string): Promise<number> {
  const {
    rows: [{ id: tenantId }],
  } = await db.query<{ id: number }>(
    `INSERT INTO tenants (slug, name, from_name) VALUES ($1, $1, $1) RETURNING id`,
    [slug],
  );
  const stripeProductId = await createStripeProduct(emulator, tenantId);
  const {
    rows: [{ id: productId }],
  } = await db.query<{ id: number }>(
    `INSERT INTO products (tenant_id, name, category, price_cents, stripe_product_id)
     VALUES ($1, 'Home jersey', 'jersey', $2, $3) RETURNING id`,
    [tenantId, TIERS[0], stripeProductId],
  );
  await db.query(
    `WITH parents AS (
       INSERT INTO parents (tenant_id, name, email)
       SELECT $1, 'Parent ' || i, 'parent' || i || '@' || $4 || '.bench.example'
       FROM generate_series(1, $2) i RETURNING id
     ), players AS (
       INSERT INTO players (tenant_id, parent_id, name, contract_status)
       SELECT $1, id, 'Player ' || id, 'pending' FROM parents RETURNING id, parent_id
     )
     INSERT INTO orders (tenant_id, player_id, parent_id, product_id, amount_cents, currency, status,
                         amount_paid_cents)
     SELECT $1, id, parent_id, $3, ($5::int[])[1 + (row_number() OVER (ORDER BY id))::int % 3],
            'usd', 'pending', 0
     FROM players`,
    [tenantId, LINKS, productId, slug, TIERS],
  );
  const {
    rows: [{ signed, owed }],
  } = await db.query<{ signed: number; owed: number }>(
    `SELECT (SELECT count(*) FROM players WHERE tenant_id = $1 AND contract_status = 'signed')::int AS signed,
            (SELECT count(*) FROM orders WHERE tenant_id = $1 AND status = 'pending')::int AS owed`,
    [tenantId],
  );
  if (signed !== 0 || owed !== LINKS)
    throw new Error(`backfill club ${slug}: ${signed} signed players, ${owed} owed orders`);
  return tenantId;
}

async function createStripeProduct(emulator: StripeEmulator, tenantId: number): Promise<string> {
  const response = await fetch(`${emulator.url}/v1/products`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${EMULATOR_KEY}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ name: 'Home jersey', 'metadata[tenant_id]': String(tenantId) }),
  });
  if (!response.ok) throw new Error(`emulator answered ${response.status} creating a product`);
  return ((await response.json()) as { id: string }).id;
}

async function backfillOnce(
  databaseUrl: string,
  emulator: StripeEmulator,
  tenantId: number,
  slug: string,
): Promise<BackfillRun> {
  const from = emulator.requests.length;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    STRIPE_MODE: 'emulator',
    STRIPE_EMULATOR_PORT: String(emulator.port),
    STRIPE_RATE_LIMIT_PER_SECOND: String(CLI_RATE_PER_SECOND),
    PUBLIC_BASE_URL: 'http://127.0.0.1:3000',
    LOG_LEVEL: 'error',
  };
  delete env.STRIPE_SECRET_KEY;
  delete env.STRIPE_WEBHOOK_SECRET;
  const started = process.hrtime.bigint();
  const { code, out, err } = await new Promise<{ code: number | null; out: string; err: string }>(
    (resolve, reject) => {
      const child = spawn(
        process.execPath,
        [CLI, 'backfill:payment-links', '--tenant', slug, '--commit', '--json'],
        { env, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (exit) => resolve({ code: exit, out: stdout, err: stderr }));
    },
  );
  const processMs = Number(process.hrtime.bigint() - started) / 1e6;
  let report: CliReport;
  try {
    report = JSON.parse(out) as CliReport;
  } catch {
    throw new Error(`backfill:payment-links printed no report (exit ${code}):\n${out}\n${err}`);
  }
  return { tenantId, report, requests: emulator.requests.slice(from), processMs };
}

const count429 = (requests: readonly RecordedRequest[]) =>
  requests.filter((r) => r.status === 429).length;

/**
 * What a run must have made, no more: one Stripe link per order and one price per tier (distinct
 * idempotency keys that succeeded), no other Stripe call, one payment_links row per order and one
 * active link on every owed order.
 */
async function duplicates(db: Client, run: BackfillRun): Promise<string[]> {
  const problems: string[] = [];
  const club = `club ${run.tenantId}`;
  const created = (path: string) =>
    new Set(
      run.requests
        .filter((r) => r.method === 'POST' && r.path === path && r.status === 200)
        .map((r) => r.idempotencyKey),
    ).size;
  if (created('/v1/payment_links') !== LINKS)
    problems.push(`${club}: ${created('/v1/payment_links')} Stripe links created`);
  if (created('/v1/prices') !== TIERS.length)
    problems.push(`${club}: ${created('/v1/prices')} Stripe prices created`);
  const other = run.requests.filter(
    (r) => !(r.method === 'POST' && (r.path === '/v1/payment_links' || r.path === '/v1/prices')),
  );
  if (other.length > 0)
    problems.push(
      `${club}: other Stripe calls ${[...new Set(other.map((r) => `${r.method} ${r.path}`))].join(', ')}`,
    );
  if (run.report.summary.done !== LINKS || run.report.summary.failed !== 0)
    problems.push(
      `${club}: ${run.report.summary.done} done, ${run.report.summary.failed} failed of ${LINKS}`,
    );
  const {
    rows: [rows],
  } = await db.query<{ links: number; orders: number; prices: number; without: number }>(
    `SELECT (SELECT count(*) FROM payment_links WHERE tenant_id = $1)::int AS links,
            (SELECT count(DISTINCT order_id) FROM payment_links WHERE tenant_id = $1)::int AS orders,
            (SELECT count(*) FROM product_prices WHERE tenant_id = $1)::int AS prices,
            (SELECT count(*) FROM orders o WHERE o.tenant_id = $1 AND o.status = 'pending'
               AND (SELECT count(*) FROM payment_links l
                    WHERE l.tenant_id = o.tenant_id AND l.order_id = o.id AND l.status = 'active') <> 1
            )::int AS without`,
    [run.tenantId],
  );
  if (rows.links !== LINKS || rows.orders !== LINKS)
    problems.push(`${club}: ${rows.links} payment_links rows for ${rows.orders} orders`);
  if (rows.prices !== TIERS.length) problems.push(`${club}: ${rows.prices} product_prices rows`);
  if (rows.without !== 0) problems.push(`${club}: ${rows.without} orders without one active link`);
  return problems;
}

/** The emulator's own link objects, per club (metadata.tenant_id): exactly LINKS each. */
async function emulatorLinkCounts(
  emulator: StripeEmulator,
  runs: readonly BackfillRun[],
): Promise<string[]> {
  const perTenant = new Map<string, number>();
  for (let startingAfter: string | undefined; ;) {
    const query = new URLSearchParams({ limit: '100' });
    if (startingAfter) query.set('starting_after', startingAfter);
    const response = await fetch(`${emulator.url}/v1/payment_links?${query}`, {
      headers: { authorization: `Bearer ${EMULATOR_KEY}` },
    });
    if (!response.ok) throw new Error(`emulator answered ${response.status} listing links`);
    const page = (await response.json()) as {
      data: { id: string; metadata: Record<string, string> }[];
      has_more: boolean;
    };
    for (const link of page.data)
      perTenant.set(link.metadata.tenant_id, (perTenant.get(link.metadata.tenant_id) ?? 0) + 1);
    if (!page.has_more || page.data.length === 0) break;
    startingAfter = page.data[page.data.length - 1].id;
  }
  return runs
    .filter((r) => perTenant.get(String(r.tenantId)) !== LINKS)
    .map((r) => `club ${r.tenantId}: ${perTenant.get(String(r.tenantId)) ?? 0} links at Stripe`);
}
