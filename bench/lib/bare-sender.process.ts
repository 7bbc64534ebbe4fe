import { createTransport } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import { Client } from 'pg';

/**
 * The blast benchmark's lower bound, in its own process (forked per run by the benchmark) so the
 * messages it holds never count in the measured service's memory: loads a finished blast's
 * messages as Courtside stored them (rendered), warms up on a few hundred of them, then, on
 * `go`, hands them all at once to a fresh bare pooled nodemailer transport.
 */
export type BareSenderRequest =
  | {
      type: 'load';
      databaseUrl: string;
      blastId: number;
      from: { name?: string; address: string };
    }
  | { type: 'warm'; smtpUrl: string; pool: SMTPPool.Options; count: number }
  | { type: 'go'; smtpUrl: string; pool: SMTPPool.Options };

export type BareSenderReply =
  | { type: 'loaded'; count: number }
  | { type: 'warm'; count: number }
  | { type: 'sent'; count: number }
  | { type: 'error'; message: string };

let messages: Parameters<ReturnType<typeof createTransport>['sendMail']>[0][] = [];

const reply = (message: BareSenderReply): void => void process.send!(message);

async function load(request: Extract<BareSenderRequest, { type: 'load' }>): Promise<void> {
  const db = new Client({ connectionString: request.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{
      recipient: string;
      subject: string;
      html: string;
      text_body: string;
      from_name: string;
      reply_to: string | null;
    }>(
      `SELECT m.recipient, m.subject, m.html, m.text_body, t.from_name, t.reply_to
       FROM email_messages m JOIN tenants t ON t.id = m.tenant_id
       WHERE m.blast_id = $1 AND m.status = 'sent' ORDER BY m.id`,
      [request.blastId],
    );
    messages = rows.map((row) => ({
      from: { name: row.from_name, address: request.from.address },
      replyTo: row.reply_to ?? undefined,
      to: row.recipient,
      subject: row.subject,
      html: row.html,
      text: row.text_body,
      headers: { 'X-Courtside-Blast': String(request.blastId) },
      disableFileAccess: true,
      disableUrlAccess: true,
    }));
  } finally {
    await db.end();
  }
  reply({ type: 'loaded', count: messages.length });
}

async function send(
  request: { smtpUrl: string; pool: SMTPPool.Options },
  batch: typeof messages,
): Promise<void> {
  const transport = createTransport({ ...request.pool, url: request.smtpUrl });
  try {
    await Promise.all(batch.map((message) => transport.sendMail(message)));
  } finally {
    transport.close();
  }
}

async function handle(request: BareSenderRequest): Promise<void> {
  if (request.type === 'load') return load(request);
  if (request.type === 'warm') {
    await send(request, messages.slice(0, request.count));
    reply({ type: 'warm', count: Math.min(request.count, messages.length) });
  } else {
    await send(request, messages);
    reply({ type: 'sent', count: messages.length });
  }
}

process.on('message', (request: BareSenderRequest) => {
  handle(request).catch((error: Error) => reply({ type: 'error', message: error.message }));
});
process.on('disconnect', () => process.exit(0));
