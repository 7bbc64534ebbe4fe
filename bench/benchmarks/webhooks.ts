import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { databaseConfig } from '../../src/config';
import { newWebhookSecret } from '../../src/stripe-emulator';
import { startAppProcess } from '../lib/app-process';
import { startBareWebhookReceiver } from '../lib/bare-webhook-receiver';
import type { Benchmark } from '../lib/context';
import { median, round } from '../lib/measure';
import { startStripeStandIn } from '../lib/stripe-stand-in';
import {
  CLIENTS,
  COUNTED_ORDER,
  countDelivery,
  cpuNote,
  DEACTIVATE_QUEUE,
  EVENTS_PER_RUN,
  latencyNote,
  measuredSlice,
  owedOrders,
  rates,
  runOnFresh,
  warmUpSlice,
  webhookUrl,
  type RunResult,
} from '../lib/webhook-deliveries';
import { startWebhookSender } from '../lib/webhook-sender';

const RATIO_BUDGET = 0.5;
/** Measured runs per database copy: each takes a slice of the measured club's owed orders. */
const RUNS_PER_COPY = [3, 2];

/**
 * 10,000 distinct signed `checkout.session.completed` events for 10,000 owed orders, POSTed to
 * /webhooks/stripe by 32 keep-alive clients, against the minimal correct receiver
 * (bare-webhook-receiver.process.ts: `node:http` + `pg`, the same writes in one transaction,
 * the service's pool size). Both serve from a child process of their own, started for the run;
 * each run gets orders nobody paid yet (a slice of a fresh database copy per receiver); the floor
 * and Courtside take turns run by run, so that a busy neighbour slows both alike; Stripe's side
 * runs in a worker thread of the bench.
 */
export const webhooks: Benchmark = {
  name: 'webhooks',
  async run({ pg, log }) {
    const poolSize = databaseConfig().poolSize;
    // Shared by the receivers and the sender, as by Stripe and an endpoint; random, like `npm start`'s.
    const secret = newWebhookSecret();
    const stripe = await startStripeStandIn();
    const sender = startWebhookSender({ secret, clients: CLIENTS });
    const dataDir = mkdtempSync(path.join(tmpdir(), 'courtside-bench-webhooks-'));
    const bare: RunResult[] = [];
    const courtside: RunResult[] = [];
    const problems: string[] = [];
    let appCount = { sql: 0, jobs: 0 };
    let bareCount = { sql: 0, jobs: 0 };
    try {
      for (const [copy, runs] of RUNS_PER_COPY.entries()) {
        const tag = `${copy}`;
        const bareUrl = await pg.copy(`bench_webhooks_bare_${copy}`);
        const appUrl = await pg.copy(`bench_webhooks_app_${copy}`);
        const bareDb = new Pool({ connectionString: bareUrl, max: 1 });
        const appDb = new Pool({ connectionString: appUrl, max: 1 });
        try {
          const owed = await owedOrders(appDb);
          const counted = owed.get(COUNTED_ORDER)!;
          for (let run = 0; run < runs; run++) {
            const batch = measuredSlice(owed, run, tag);
            const counting = copy === 0 && run === 0;
            const floorRun = await runOnFresh({
              who: 'bare',
              start: async () => {
                const floor = await startBareWebhookReceiver({
                  databaseUrl: bareUrl,
                  poolSize,
                  secret,
                  queue: DEACTIVATE_QUEUE,
                });
                return { ...floor, urls: [webhookUrl(floor.url)], pids: [floor.pid] };
              },
              first: async (floor) => {
                if (counting)
                  bareCount = await countDelivery(
                    floor,
                    sender,
                    floor.urls,
                    counted,
                    'count',
                    problems,
                  );
              },
              sender,
              warmUp: warmUpSlice(owed, 2 * run, tag),
              batch,
              db: bareDb,
              problems,
            });
            const appRun = await runOnFresh({
              who: 'Courtside',
              start: async () => {
                const app = await startAppProcess({
                  databaseUrl: appUrl,
                  stripe: { apiUrl: stripe.url, webhookSecrets: [secret] },
                  env: { MAIL_TRANSPORT: 'outbox', DATA_DIR: dataDir },
                });
                return { ...app, urls: [webhookUrl(app.url)], pids: [app.pid] };
              },
              first: async (app) => {
                if (counting)
                  appCount = await countDelivery(app, sender, app.urls, counted, 'count', problems);
              },
              sender,
              warmUp: warmUpSlice(owed, 2 * run + 1, tag),
              batch,
              db: appDb,
              problems,
            });
            bare.push(floorRun);
            courtside.push(appRun);
            log(
              `webhooks: copy ${copy} run ${run + 1}: bare ${Math.round(floorRun.eventsPerSecond)}, ` +
                `Courtside ${Math.round(appRun.eventsPerSecond)} events/s`,
            );
          }
        } finally {
          await bareDb.end();
          await appDb.end();
        }
      }
    } finally {
      await sender.close();
      await stripe.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    const value = median(courtside.map((r) => r.eventsPerSecond));
    const bound = median(bare.map((r) => r.eventsPerSecond));
    const ratio = value / bound;
    for (const problem of problems) log(`webhooks: ${problem}`);
    return [
      {
        name: 'webhooks',
        value: round(value, 0),
        unit: 'events/s',
        lower_bound: round(bound, 0),
        ratio: round(ratio),
        budget: `≥ ${RATIO_BUDGET}× the bare rate; p99 reported; 0 lost or doubled`,
        pass: ratio >= RATIO_BUDGET && problems.length === 0,
        note:
          `${EVENTS_PER_RUN} events × ${courtside.length} runs, ${CLIENTS} clients, pool ${poolSize}; ` +
          `latency ${latencyNote(courtside)} (bare ${latencyNote(bare)}); ` +
          `CPU per event ${cpuNote(courtside)} (bare ${cpuNote(bare)}), the receiver's process; ` +
          `per event ${appCount.sql} SQL statements + ${appCount.jobs} job insert ` +
          `(bare node:http + pg: ${bareCount.sql} + ${bareCount.jobs}); ` +
          `runs ${rates(courtside)} vs bare ${rates(bare)} events/s; ` +
          (problems.length === 0
            ? '0 lost or doubled'
            : `${problems.length} PROBLEMS: ${problems.join('; ')}`),
      },
    ];
  },
};
