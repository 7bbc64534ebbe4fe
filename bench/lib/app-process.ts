import { ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { StripeConnection } from '../../src/stripe/stripe.service';
import type { AppProcessReply, AppProcessRequest } from './app.process';
import { profiledExecArgv } from './cpu-profile';
import { ask as askChild } from './ipc';

/** The real service (`startApp`) in a child process: its URL, its SQL count, its memory. */
export interface AppProcess {
  url: string;
  pid: number;
  /** Counts the SQL statements the service sends while `work` runs (job-queue polling aside). */
  countQueries(work: () => Promise<void>): Promise<number>;
  /** Like countQueries, and apart, the statements whose text matches `pattern`. */
  countStatements(
    pattern: RegExp,
    work: () => Promise<void>,
  ): Promise<{ all: number; matching: number }>;
  /** Resident memory now and at its highest since the process started, in bytes (Linux). */
  memory(): { rss: number; peak: number } | undefined;
  close(): Promise<void>;
}

export async function startAppProcess(options: {
  databaseUrl: string;
  env: Record<string, string>;
  /** The Stripe API the service talks to and the secrets its webhooks are signed with. */
  stripe?: StripeConnection;
}): Promise<AppProcess> {
  const child = fork(path.join(__dirname, 'app.process.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: profiledExecArgv('app'),
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const started = await ask(child, { type: 'start', ...options }, 'started');
  const countStatements = async (pattern: RegExp | undefined, work: () => Promise<void>) => {
    await ask(child, { type: 'count', pattern: pattern?.source }, 'counting');
    const failed = await work().then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    const { statements, matching } = await ask(child, { type: 'counted' }, 'counted');
    if (failed) throw failed.error;
    return { all: statements, matching };
  };
  return {
    url: started.url,
    pid: child.pid!,
    countQueries: async (work) => (await countStatements(undefined, work)).all,
    countStatements,
    memory: () => memoryOf(child.pid!),
    close: async () => {
      if (child.exitCode !== null) return;
      await ask(child, { type: 'close' }, 'closed').catch(() => child.kill());
      await exited;
    },
  };
}

function memoryOf(pid: number): { rss: number; peak: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    const rss = kb('VmRSS') * 1024;
    const peak = kb('VmHWM') * 1024;
    return Number.isFinite(rss) ? { rss, peak: Number.isFinite(peak) ? peak : rss } : undefined;
  } catch {
    return undefined;
  }
}

/** `ask` typed for this helper's messages. */
const ask = <T extends AppProcessReply['type']>(
  child: ChildProcess,
  request: AppProcessRequest,
  want: T,
) => askChild<AppProcessReply, T>('app process', child, request, want);
