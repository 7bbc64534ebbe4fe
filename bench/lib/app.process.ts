import 'reflect-metadata';
import type { StripeConnection } from '../../src/stripe/stripe.service';
import { BenchApp, startApp } from './app';
import { countStatementsUntilStopped } from './query-counter';

/**
 * The service in a process of its own (forked by `startAppProcess`), so what a benchmark
 * measures of its memory is the service's alone: `startApp` as the parent would call it, plus a
 * count of the SQL statements it sends between `count` and `counted` (and, apart, of those whose
 * text matches `pattern`, a RegExp's source).
 */
export type AppProcessRequest =
  | { type: 'start'; databaseUrl: string; env: Record<string, string>; stripe?: StripeConnection }
  | { type: 'count'; pattern?: string }
  | { type: 'counted' }
  | { type: 'close' };

export type AppProcessReply =
  | { type: 'started'; url: string }
  | { type: 'counting' }
  | { type: 'counted'; statements: number; matching: number }
  | { type: 'closed' }
  | { type: 'error'; message: string };

let app: BenchApp | undefined;
let counted: (() => Promise<{ all: number; matching: number }>) | undefined;

const reply = (message: AppProcessReply): void => void process.send!(message);

async function handle(request: AppProcessRequest): Promise<void> {
  if (request.type === 'start') {
    app = await startApp(request);
    reply({ type: 'started', url: app.url });
  } else if (request.type === 'count') {
    counted = countStatementsUntilStopped(new RegExp(request.pattern ?? '$^'));
    reply({ type: 'counting' });
  } else if (request.type === 'counted') {
    const counts = (await counted?.()) ?? { all: 0, matching: 0 };
    counted = undefined;
    reply({ type: 'counted', statements: counts.all, matching: counts.matching });
  } else {
    await app?.close();
    reply({ type: 'closed' });
    process.exit(0);
  }
}

process.on('message', (request: AppProcessRequest) => {
  handle(request).catch((error: Error) => reply({ type: 'error', message: error.message }));
});
process.on('disconnect', () => process.exit(0));
