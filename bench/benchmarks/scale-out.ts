import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { newWebhookSecret } from '../../src/stripe-emulator';
import { AppProcess, startAppProcess } from '../lib/app-process';
import type { Benchmark } from '../lib/context';
import { median, round } from '../lib/measure';
import { startStripeStandIn } from '../lib/stripe-stand-in';
import {
  CLIENTS,
  cpuNote,
  EVENTS_PER_RUN,
  latencyNote,
  measuredSlice,
  owedOrders,
  rates,
  runOnFresh,
  warmUpSlice,
  webhookUrl,
  type RunResult,
  type WebhookEndpoints,
} from '../lib/webhook-deliveries';
import { startWebhookSender } from '../lib/webhook-sender';

const PROCESSES = 3;
const RATIO_BUDGET = 1.0;
/** From this many cores, 3 processes should scale rather than merely hold: the ratio is reported. */
const REPORT_ONLY_CORES = 8;
/**
 * The runs of each database copy, by number of service processes: 1 and 3 take turns (and the
 * second copy starts with 3), so a busy neighbour or a warmer database favours neither.
 */
const RUNS_PER_COPY = [
  [1, PROCESSES, 1],
  [PROCESSES, 1, PROCESSES],
];

/**
 * The `webhooks` benchmark's deliveries (webhook-deliveries.ts) against 1, then 3, processes of
 * the service on one database, each process its own port: the sender's 32 keep-alive clients
 * are spread over their URLs round-robin, as a balancer would. The processes are started for
 * each run (one after another, as a rolling start would) and closed after it.
 */
export const scaleOut: Benchmark = {
  name: 'scale_out',
  async run({ pg, log }) {
    const secret = newWebhookSecret();
    const stripe = await startStripeStandIn();
    const sender = startWebhookSender({ secret, clients: CLIENTS });
    const dataDir = mkdtempSync(path.join(tmpdir(), 'courtside-bench-scale-out-'));
    const runs = new Map<number, RunResult[]>([
      [1, []],
      [PROCESSES, []],
    ]);
    const problems: string[] = [];
    try {
      for (const [copy, counts] of RUNS_PER_COPY.entries()) {
        const tag = `s${copy}`;
        const databaseUrl = await pg.copy(`bench_scale_out_${copy}`);
        const db = new Pool({ connectionString: databaseUrl, max: 1 });
        try {
          const owed = await owedOrders(db);
          // Each process warms up on as many events as a lone one does.
          let warmUps = 0;
          for (const [run, processes] of counts.entries()) {
            const warmUp = warmUpSlice(owed, warmUps, tag, processes);
            warmUps += processes;
            const result = await runOnFresh({
              who: `${processes} process${processes > 1 ? 'es' : ''}`,
              start: () =>
                startProcesses(processes, {
                  databaseUrl,
                  stripe: { apiUrl: stripe.url, webhookSecrets: [secret] },
                  dataDir,
                }),
              sender,
              warmUp,
              batch: measuredSlice(owed, run, tag),
              db,
              problems,
            });
            runs.get(processes)!.push(result);
            log(
              `scale_out: copy ${copy} run ${run + 1}: ${processes} process(es) ` +
                `${Math.round(result.eventsPerSecond)} events/s`,
            );
          }
        } finally {
          await db.end();
        }
      }
    } finally {
      await sender.close();
      await stripe.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
    const one = runs.get(1)!;
    const several = runs.get(PROCESSES)!;
    const value = median(several.map((r) => r.eventsPerSecond));
    const bound = median(one.map((r) => r.eventsPerSecond));
    const ratio = value / bound;
    const cores = os.cpus().length;
    const reportOnly = cores >= REPORT_ONLY_CORES;
    for (const problem of problems) log(`scale_out: ${problem}`);
    return [
      {
        name: 'scale_out',
        value: round(value, 0),
        unit: 'events/s',
        lower_bound: round(bound, 0),
        ratio: round(ratio),
        budget: `${PROCESSES} processes ≥ ${RATIO_BUDGET}× of 1 (reported only from ${REPORT_ONLY_CORES} cores); 0 lost or doubled`,
        pass: (reportOnly || ratio >= RATIO_BUDGET) && problems.length === 0,
        note:
          `${PROCESSES} processes vs 1 on one database, ${cores} cores${reportOnly ? ' (ratio reported, not judged)' : ''}; ` +
          `${EVENTS_PER_RUN} events × ${several.length}+${one.length} runs, ${CLIENTS} clients round-robin over the processes; ` +
          `latency ${latencyNote(several)} (1 process ${latencyNote(one)}); ` +
          `CPU per event ${cpuNote(several)}, all ${PROCESSES} processes (1 process ${cpuNote(one)}); ` +
          `runs ${rates(several)} vs 1 process ${rates(one)} events/s; ` +
          (problems.length === 0
            ? '0 lost or doubled'
            : `${problems.length} PROBLEMS: ${problems.join('; ')}`),
      },
    ];
  },
};

/**
 * `count` processes of the service, started one after another (their start-ups create the job
 * queues, which must not be created twice at once), each with its own port and mail outbox.
 */
async function startProcesses(
  count: number,
  options: {
    databaseUrl: string;
    stripe: { apiUrl: string; webhookSecrets: string[] };
    dataDir: string;
  },
): Promise<WebhookEndpoints> {
  const processes: AppProcess[] = [];
  const close = async () => {
    await Promise.all(processes.map((app) => app.close()));
  };
  try {
    for (let i = 0; i < count; i++)
      processes.push(
        await startAppProcess({
          databaseUrl: options.databaseUrl,
          stripe: options.stripe,
          env: { MAIL_TRANSPORT: 'outbox', DATA_DIR: path.join(options.dataDir, `process-${i}`) },
        }),
      );
  } catch (error) {
    await close();
    throw error;
  }
  return {
    urls: processes.map((app) => webhookUrl(app.url)),
    pids: processes.map((app) => app.pid),
    close,
  };
}
