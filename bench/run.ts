import 'reflect-metadata';
import path from 'node:path';
import { blast } from './benchmarks/blast';
import { statement } from './benchmarks/statement';
import { startup } from './benchmarks/startup';
import { webhooks } from './benchmarks/webhooks';
import { backfill } from './benchmarks/backfill';
import { monthRun } from './benchmarks/month-run';
import { scaleOut } from './benchmarks/scale-out';
import type { Benchmark } from './lib/context';
import { buildTemplate, startBenchPostgres } from './lib/database';
import { BenchResult, round } from './lib/measure';
import { machineNote, printResults, writeResults } from './lib/report';
import { SEED } from './seed';

/** Every row of docs/performance.md, in its order. */
const BENCHMARKS: Benchmark[] = [statement, blast, webhooks, backfill, monthRun, scaleOut, startup];

const RESULTS = path.resolve(__dirname, '../../bench/results/latest.json');
const SEED_BUDGET_SECONDS = 60;

/** `npm run bench [-- <name> …]`: runs the benchmarks, prints the table, writes latest.json. */
async function main(): Promise<void> {
  const wanted = process.argv.slice(2);
  if (wanted.includes('--help')) {
    process.stdout.write(
      `npm run bench [-- <name> …]: the seed, then the named benchmarks (all by default), a table,\n` +
        `and bench/results/latest.json. Names: ${BENCHMARKS.map((b) => b.name).join(', ')}.\n` +
        `BENCH_DATABASE_URL: a PostgreSQL server to use instead of an embedded one.\n` +
        `BENCH_WEBHOOK_EVENTS: events per run of webhooks and scale_out (10000), fewer to try them out.\n` +
        `BENCH_CPU_PROF: a folder where the service's (and the bare receivers') processes write CPU profiles.\n`,
    );
    return;
  }
  const unknown = wanted.filter((name) => !BENCHMARKS.some((b) => b.name === name));
  if (unknown.length > 0) {
    process.stderr.write(
      `Unknown benchmark(s): ${unknown.join(', ')}. Known: ${BENCHMARKS.map((b) => b.name).join(', ')}\n`,
    );
    process.exit(2);
  }
  const chosen = wanted.length > 0 ? BENCHMARKS.filter((b) => wanted.includes(b.name)) : BENCHMARKS;
  const log = (line: string) => process.stderr.write(`${line}\n`);
  log(`machine: ${machineNote()}`);
  const pg = await startBenchPostgres(log);
  const results: BenchResult[] = [];
  try {
    const started = process.hrtime.bigint();
    await buildTemplate(pg.serverUrl);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    log(`seed: ${SEED.clubs} clubs loaded in ${seconds.toFixed(1)} s`);
    results.push({
      name: 'seed',
      value: round(seconds, 1),
      unit: 's',
      lower_bound: null,
      ratio: null,
      budget: `< ${SEED_BUDGET_SECONDS} s`,
      pass: seconds < SEED_BUDGET_SECONDS,
      note: `${SEED.clubs} clubs × (${SEED.parents} parents, ${SEED.players} players (${SEED.cardPlayers} with a saved card), ${SEED.orders} orders, ${SEED.activeLinks} active + ${SEED.historicLinks} historic links), migrations included`,
    });
    for (const benchmark of chosen) {
      log(`running ${benchmark.name}…`);
      results.push(...(await benchmark.run({ pg, log })));
    }
  } finally {
    await pg.stop();
  }
  printResults(results);
  writeResults(results, RESULTS);
  log(`wrote ${path.relative(process.cwd(), RESULTS)}`);
  if (results.some((result) => !result.pass)) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
