import 'reflect-metadata';
import { BenchApp, startApp } from './app';
import { countQueries } from './query-counter';

/**
 * The service in a process of its own (forked by `startAppProcess`), so what a benchmark
 * measures of its memory is the service's alone: `startApp` as the parent would call it, plus a
 * count of the SQL statements it sends between `count` and `counted`.
 */
export type AppProcessRequest =
  | { type: 'start'; databaseUrl: string; env: Record<string, string> }
  | { type: 'count' }
  | { type: 'counted' }
  | { type: 'close' };

export type AppProcessReply =
  | { type: 'started'; url: string }
  | { type: 'counting' }
  | { type: 'counted'; statements: number }
  | { type: 'closed' }
  | { type: 'error'; message: string };

let app: BenchApp | undefined;
let counting: { stop: () => void; statements: Promise<number> } | undefined;

const reply = (message: AppProcessReply): void => void process.send!(message);

async function handle(request: AppProcessRequest): Promise<void> {
  if (request.type === 'start') {
    app = await startApp({ databaseUrl: request.databaseUrl, env: request.env });
    reply({ type: 'started', url: app.url });
  } else if (request.type === 'count') {
    let stop = () => undefined as void;
    const statements = countQueries(() => new Promise<void>((resolve) => (stop = resolve)));
    counting = { stop, statements };
    reply({ type: 'counting' });
  } else if (request.type === 'counted') {
    counting?.stop();
    reply({ type: 'counted', statements: (await counting?.statements) ?? 0 });
    counting = undefined;
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
