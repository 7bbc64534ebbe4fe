import { ChildProcess, fork } from 'node:child_process';
import path from 'node:path';

export type SinkRequest =
  { type: 'reset' } | { type: 'expect'; count: number } | { type: 'status' } | { type: 'close' };

export interface SinkCounts {
  received: number;
  bytes: number;
  /** SMTP connections opened since the last reset: a pooled client opens few. */
  connections: number;
  distinctRecipients: number;
}

export type SinkReply =
  { type: 'listening'; port: number } | ({ type: 'reached' | 'status' } & SinkCounts);

/** A local SMTP server in a child process that counts what it accepts (bench/lib/smtp-sink.process). */
export interface SmtpSink {
  url: string;
  /** Forgets the counts so far. */
  reset(): Promise<SinkCounts>;
  /**
   * Resolves when `count` messages have been accepted since the last reset (the moment is
   * taken here, as the child says so); rejects when `timeoutMs` passes first.
   */
  reached(count: number, timeoutMs: number): Promise<SinkCounts & { at: bigint }>;
  status(): Promise<SinkCounts>;
  close(): Promise<void>;
}

export async function startSmtpSink(): Promise<SmtpSink> {
  const child = fork(path.join(__dirname, 'smtp-sink.process.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`SMTP sink exited with ${code}`)));
    child.once('message', (message: SinkReply) => {
      if (message.type === 'listening') resolve(message.port);
    });
  });
  child.removeAllListeners('exit');
  const ask = (request: SinkRequest, want: SinkReply['type']) =>
    nextReply(child, want, () => child.send(request));
  return {
    url: `smtp://127.0.0.1:${port}`,
    reset: () => ask({ type: 'reset' }, 'status') as Promise<SinkCounts>,
    status: () => ask({ type: 'status' }, 'status') as Promise<SinkCounts>,
    reached: async (count, timeoutMs) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`SMTP sink: ${count} messages not received in ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        const counts = (await Promise.race([
          ask({ type: 'expect', count }, 'reached'),
          timeout,
        ])) as SinkCounts;
        return { ...counts, at: process.hrtime.bigint() };
      } finally {
        clearTimeout(timer);
      }
    },
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.send({ type: 'close' } satisfies SinkRequest);
      await exited;
    },
  };
}

function nextReply(
  child: ChildProcess,
  want: SinkReply['type'],
  send: () => void,
): Promise<SinkReply> {
  return new Promise((resolve) => {
    const listen = (message: SinkReply) => {
      if (message.type !== want) return;
      child.off('message', listen);
      resolve(message);
    };
    child.on('message', listen);
    send();
  });
}
