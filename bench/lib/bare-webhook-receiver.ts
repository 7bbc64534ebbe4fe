import { ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import type { BareReceiverReply, BareReceiverRequest } from './bare-webhook-receiver.process';
import { profiledExecArgv } from './cpu-profile';
import { ask as askChild } from './ipc';
import type { StatementCounter } from './webhook-deliveries';

/** The `webhooks` benchmark's lower bound, serving in its own process (see the .process file). */
export interface BareWebhookReceiver extends StatementCounter {
  url: string;
  pid: number;
  close(): Promise<void>;
}

export async function startBareWebhookReceiver(options: {
  databaseUrl: string;
  /** The service's pool size: the same number of connections. */
  poolSize: number;
  /** The webhook signing secret. */
  secret: string;
  /** The queue of the job each payment sends (its link's deactivation). */
  queue: string;
}): Promise<BareWebhookReceiver> {
  const child = fork(path.join(__dirname, 'bare-webhook-receiver.process.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    execArgv: profiledExecArgv('bare-webhook-receiver'),
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const started = await ask(child, { type: 'start', ...options }, 'started');
  return {
    url: started.url,
    pid: child.pid!,
    countStatements: async (pattern, work) => {
      await ask(child, { type: 'count', pattern: pattern.source }, 'counting');
      const failed = await work().then(
        () => undefined,
        (error: unknown) => ({ error }),
      );
      const { all, matching } = await ask(child, { type: 'counted' }, 'counted');
      if (failed) throw failed.error;
      return { all, matching };
    },
    close: async () => {
      if (child.exitCode !== null) return;
      await ask(child, { type: 'close' }, 'closed').catch(() => child.kill());
      await exited;
    },
  };
}

const ask = <T extends BareReceiverReply['type']>(
  child: ChildProcess,
  request: BareReceiverRequest,
  want: T,
) => askChild<BareReceiverReply, T>('bare webhook receiver', child, request, want);
