import { ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { StripeEmulator } from '../../src/stripe-emulator';
import type { TestApp } from './app';

// CLI_DIST lets a build in another folder be tested while dist/ is being rebuilt.
const CLI = path.resolve(
  process.env.CLI_DIST ?? path.resolve(__dirname, '../../dist'),
  'src/cli.js',
);

/** For `env`: a Stripe call that fails three times fails its item (the default tries seven). */
export const FAIL_AFTER_THREE_TRIES = { STRIPE_MAX_RETRIES: '2' };

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

/** Where a CLI run points: the test's database and emulator, plus any settings of its own. */
export interface CliTarget {
  app: Pick<TestApp, 'databaseUrl' | 'publicUrl'>;
  stripe?: StripeEmulator;
  env?: Record<string, string>;
}

/**
 * The built CLI (`npm run cli` runs the same file) as a real process on the test's database,
 * talking to the test's Stripe emulator the way a CLI talks to `npm start`'s.
 */
export function startCli(
  target: CliTarget,
  args: string[],
): { child: ChildProcess; done: Promise<CliRun> } {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: target.app.databaseUrl,
    // A DATABASE_URL with the emulator must be asked for (S5).
    STRIPE_MODE: 'emulator',
    LOG_LEVEL: 'error',
    ...(target.app.publicUrl && { PUBLIC_BASE_URL: target.app.publicUrl }),
    ...(target.stripe && { STRIPE_EMULATOR_PORT: new URL(target.stripe.url).port }),
    ...target.env,
  };
  delete env.STRIPE_SECRET_KEY;
  const child = spawn(process.execPath, [CLI, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const done = new Promise<CliRun>((resolve) =>
    child.on('exit', (code) => resolve({ code, out, err })),
  );
  return { child, done };
}

export function runCli(target: CliTarget, ...args: string[]): Promise<CliRun> {
  return startCli(target, args).done;
}

/** A `--json` run's report. */
export interface CliReport {
  command: string;
  commit: boolean;
  interrupted: boolean;
  items: { columns: Record<string, string | number | null>; status: string; result: string }[];
  summary: Record<'done' | 'would_do' | 'unchanged' | 'skipped' | 'failed', number>;
  elapsed_ms: number;
}

export async function runCliJson(
  target: CliTarget,
  ...args: string[]
): Promise<CliRun & { report: CliReport }> {
  const run = await runCli(target, ...args, '--json');
  let report: CliReport;
  try {
    report = JSON.parse(run.out) as CliReport;
  } catch {
    throw new Error(`The CLI printed no JSON report (exit ${run.code}):\n${run.out}\n${run.err}`);
  }
  return { ...run, report };
}

/** A report's item about one order; a report without it fails the test. */
export function itemOf(report: CliReport, orderId: number): CliReport['items'][number] {
  const item = report.items.find((candidate) => candidate.columns.order === orderId);
  if (!item) throw new Error(`The ${report.command} report has no item for order ${orderId}`);
  return item;
}
