import { ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { Client } from 'pg';
import { SMTP_POOL_DEFAULTS } from '../../src/mailer/transports/smtp.transport';
import { AppProcess, startAppProcess } from '../lib/app-process';
import type { Benchmark } from '../lib/context';
import { median, round } from '../lib/measure';
import { SmtpSink, startSmtpSink } from '../lib/smtp-sink';
import type { BareSenderReply, BareSenderRequest } from '../lib/bare-sender.process';
import { BENCH_API_KEY, SEED } from '../seed';
import { ask as askChild } from '../lib/ipc';

const FAMILIES = SEED.parents;
const WARMUPS = 1;
const RUNS = 5;
const RUN_TIMEOUT_MS = 300_000;
const BARE_WARMUP = 500;
const RSS_SAMPLE_MS = 50;
const RSS_BUDGET_MB = 400;
const RATIO_BUDGET = 0.7;
const MAIL_FROM = 'billing@courtside.bench';
/**
 * The pool as production builds it (SMTP_POOL_DEFAULTS), with the per-second cap off
 * (`rateLimit=0`): the bench measures how fast Courtside feeds the server, not the cap.
 */
const SMTP_QUERY = '/?rateLimit=0';

interface CourtsideRun {
  blastId: number;
  /** Preview request sent → the sink accepted the last message. */
  totalMs: number;
  previewMs: number;
  /** The send request alone (approval, message rows, job). */
  sendMs: number;
}

/**
 * The outstanding-balance blast of the measured club (10,000 families), preview + send, timed
 * from the preview request to the last message accepted by a local SMTP sink; against the same
 * messages, rendered beforehand, sent by a bare pooled nodemailer transport to the same sink.
 */
export const blast: Benchmark = {
  name: 'blast',
  async run({ pg, log }) {
    const sink = await startSmtpSink();
    const databaseUrl = await pg.copy('bench_blast');
    let app: AppProcess | undefined;
    const db = new Client({ connectionString: databaseUrl });
    try {
      await db.connect();
      // The service in its own process: the memory measured is Courtside's, not the bench's.
      const started = await startAppProcess({
        databaseUrl,
        env: { SMTP_URL: `${sink.url}${SMTP_QUERY}`, MAIL_TRANSPORT: 'smtp', MAIL_FROM },
      });
      app = started;
      let peakRss = 0;
      const sample = () => {
        const memory = started.memory();
        if (memory) peakRss = Math.max(peakRss, memory.rss, memory.peak);
      };
      const sampler = setInterval(sample, RSS_SAMPLE_MS);
      const courtside: CourtsideRun[] = [];
      const bare: number[] = [];
      let statements = 0;
      try {
        // Courtside and the bound take turns, so a busy neighbour slows both alike; the warm-up
        // round is Courtside's alone (the bound warms up in its own process, run by run).
        for (let i = 0; i < WARMUPS + RUNS; i++) {
          const warmup = i < WARMUPS;
          let run: CourtsideRun | undefined;
          // reminders_sent (empty here) references email_messages: TRUNCATE must name it too.
          await db.query('TRUNCATE email_messages, email_blasts, reminders_sent');
          statements = await started.countQueries(async () => {
            run = await courtsideRun(started, sink);
          });
          const courtsideLine =
            `blast: Courtside ${Math.round(run!.totalMs)} ms (preview ${Math.round(run!.previewMs)}, ` +
            `send ${Math.round(run!.sendMs)}, ${statements} SQL statements)`;
          if (warmup) {
            log(`${courtsideLine} (warm-up)`);
            continue;
          }
          const bound = await bareRun(sink, databaseUrl, run!.blastId);
          courtside.push(run!);
          bare.push(bound);
          log(`${courtsideLine}, bare nodemailer ${Math.round(bound)} ms`);
        }
      } finally {
        clearInterval(sampler);
        sample();
      }

      const totalMs = median(courtside.map((run) => run.totalMs));
      const rate = (FAMILIES / totalMs) * 1000;
      const bareRate = (FAMILIES / median(bare)) * 1000;
      const ratio = rate / bareRate;
      const peakMb = peakRss / 2 ** 20;
      const seconds = (ms: number) => (ms / 1000).toFixed(1);
      return [
        {
          name: 'blast',
          value: round(rate, 0),
          unit: 'messages/s',
          lower_bound: round(bareRate, 0),
          ratio: round(ratio),
          budget: `≥ ${RATIO_BUDGET}× the bare rate; peak RSS < ${RSS_BUDGET_MB} MB`,
          pass: ratio >= RATIO_BUDGET && peakRss > 0 && peakMb < RSS_BUDGET_MB,
          note:
            `${FAMILIES} families in ${seconds(totalMs)} s (bare ${seconds(median(bare))} s); ` +
            `peak RSS of the service ${Math.round(peakMb)} MB (its own process, start-up and ${WARMUPS + RUNS} blasts); ` +
            `preview ${Math.round(median(courtside.map((run) => run.previewMs)))} ms, ` +
            `send request ${Math.round(median(courtside.map((run) => run.sendMs)))} ms; ` +
            `${statements} SQL statements per blast (HTTP key checks and status reads included); ` +
            `pool ${SMTP_POOL_DEFAULTS.maxConnections} connections, rateLimit=0; ` +
            `runs ${courtside.map((run) => seconds(run.totalMs)).join('/')} s, bare ${bare.map(seconds).join('/')} s`,
        },
      ];
    } finally {
      await app?.close();
      await db.end();
      await sink.close();
    }
  },
};

/** One blast (on a clean email log): preview, send, every family's message accepted once. */
async function courtsideRun(app: AppProcess, sink: SmtpSink): Promise<CourtsideRun> {
  await sink.reset();
  const started = process.hrtime.bigint();
  const preview = (await admin(app, 'POST', '/admin/email/blasts', 201, {
    query: 'outstanding_balances',
  })) as { id: number; recipient_count: number };
  const previewed = process.hrtime.bigint();
  if (preview.recipient_count !== FAMILIES)
    throw new Error(`blast preview: ${preview.recipient_count} recipients, not ${FAMILIES}`);
  await admin(app, 'POST', `/admin/email/blasts/${preview.id}/send`, 200);
  const sent = process.hrtime.bigint();
  const last = await sink.reached(FAMILIES, RUN_TIMEOUT_MS);
  const ms = (from: bigint, to: bigint) => Number(to - from) / 1e6;
  for (;;) {
    const blast = (await admin(app, 'GET', `/admin/email/blasts/${preview.id}`, 200)) as {
      status: string;
      counts: { sent: number; failed: number };
    };
    if (blast.status === 'sent' && blast.counts.sent === FAMILIES) break;
    if (blast.status !== 'sending')
      throw new Error(`blast ended ${blast.status}: ${JSON.stringify(blast.counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  // Money rule 10: one message per family, none twice.
  const counts = await sink.status();
  if (counts.received !== FAMILIES || counts.distinctRecipients !== FAMILIES)
    throw new Error(
      `blast: the sink got ${counts.received} messages for ${counts.distinctRecipients} families`,
    );
  return {
    blastId: preview.id,
    totalMs: ms(started, last.at),
    previewMs: ms(started, previewed),
    sendMs: ms(previewed, sent),
  };
}

async function admin(
  app: AppProcess,
  method: 'GET' | 'POST',
  path: string,
  expected: number,
  body?: object,
): Promise<unknown> {
  const response = await fetch(`${app.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${BENCH_API_KEY}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  if (response.status !== expected)
    throw new Error(`${method} ${path} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

/**
 * The lower bound: the blast's messages as Courtside rendered and stored them, handed all at
 * once to a fresh bare nodemailer pool of Courtside's size (its own process, so the messages it
 * holds are not in the measured memory), timed from `go` to the last message accepted.
 */
async function bareRun(sink: SmtpSink, databaseUrl: string, blastId: number): Promise<number> {
  const sender = fork(path.join(__dirname, '../lib/bare-sender.process.js'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    const loaded = await ask(
      sender,
      { type: 'load', databaseUrl, blastId, from: { address: MAIL_FROM } },
      'loaded',
    );
    if (loaded.count !== FAMILIES) throw new Error(`blast: ${loaded.count} rendered messages`);
    const pool = { ...SMTP_POOL_DEFAULTS, rateLimit: 0 };
    // Its JIT warmed up on a few hundred messages first, as Courtside's is by the warm-up blast.
    await ask(sender, { type: 'warm', smtpUrl: sink.url, pool, count: BARE_WARMUP }, 'warm');
    await sink.reset();
    const started = process.hrtime.bigint();
    const sent = ask(sender, { type: 'go', smtpUrl: sink.url, pool }, 'sent');
    const last = await sink.reached(FAMILIES, RUN_TIMEOUT_MS);
    await sent;
    return Number(last.at - started) / 1e6;
  } finally {
    sender.kill();
  }
}

/** `ask` typed for this helper's messages. */
const ask = <T extends BareSenderReply['type']>(
  child: ChildProcess,
  request: BareSenderRequest,
  want: T,
) => askChild<BareSenderReply, T>('bare sender', child, request, want);
