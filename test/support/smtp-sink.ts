import type { AddressInfo } from 'node:net';
import { AddressObject, simpleParser } from 'mailparser';
import { SMTPServer, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';

/** One message as a mail client would see it, parsed by mailparser from the bytes received. */
export interface ParsedMessage {
  from: { name: string; address: string };
  /** The To header's addresses. */
  toHeader: string[];
  replyTo: string[];
  subject: string;
  /** The HTML part; '' when there is none. */
  html: string;
  /** The plain-text part; '' when there is none. */
  text: string;
  /** Lower-case header names → their decoded value as one line of text. */
  headers: Record<string, string>;
  messageId: string;
  /** The message exactly as received. */
  raw: string;
}

/** A message the sink accepted over SMTP. */
export interface SinkMessage extends ParsedMessage {
  /** The accepted envelope recipients (RCPT TO): who the server would deliver to. */
  to: string[];
  envelopeFrom: string;
  receivedAt: number;
}

export interface FailureOptions {
  /** SMTP reply code: 5xx is a permanent failure, 4xx a temporary one. */
  code?: number;
  message?: string;
  /** Refuse the recipient at RCPT TO (the usual "no such mailbox"), or the whole message at DATA. */
  at?: 'rcpt' | 'data';
  /** Fail this many times, then accept (a temporary outage). Default: every time. */
  times?: number;
}

interface Failure {
  code: number;
  message: string;
  at: 'rcpt' | 'data';
  remaining: number;
}

/**
 * A real SMTP server on 127.0.0.1 (no TLS, any or no login) that records every message it
 * accepts, parsed, and refuses chosen recipients on demand.
 */
export class SmtpSink {
  readonly messages: SinkMessage[] = [];
  /** How many SMTP connections clients opened: a pooled client opens few. */
  connections = 0;
  private readonly failures = new Map<string, Failure>();
  private readonly waiters = new Set<() => void>();

  private readonly server: SMTPServer;
  private listeningOn = 0;
  private acceptDelayMs = 0;

  private constructor() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      closeTimeout: 1000,
      onConnect: (_session, callback) => {
        this.connections += 1;
        callback();
      },
      onAuth: (auth, _session, callback) => callback(null, { user: auth.username }),
      onRcptTo: (address, _session, callback) => callback(this.refusal(address.address, 'rcpt')),
      onData: (stream, session, callback) => {
        this.receive(stream, session).then(
          () => setTimeout(() => callback(), this.acceptDelayMs),
          (error: Error) => callback(error),
        );
      },
    });
    // A client hanging up mid-session is an 'error' event; unheard, it would crash the test run.
    this.server.on('error', () => undefined);
  }

  /** On a free port, or on `port` (a mail server coming back where another one hung). */
  static async start(port = 0): Promise<SmtpSink> {
    const sink = new SmtpSink();
    await new Promise<void>((resolve, reject) => {
      sink.server.once('error', reject);
      sink.server.listen(port, '127.0.0.1', () => resolve());
    });
    sink.listeningOn = (sink.server.server.address() as AddressInfo).port;
    return sink;
  }

  get port(): number {
    return this.listeningOn;
  }

  /** For SMTP_URL; query parameters (e.g. `?rateLimit=2`) reach the client's options. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  /** A slow mail server: each message is accepted this long after it arrived (recorded at once). */
  setAcceptDelay(ms: number): void {
    this.acceptDelayMs = ms;
  }

  /** Refuse mail for `address` (case-insensitive) until `recover`: by default 550 at RCPT TO. */
  failFor(address: string, options: FailureOptions = {}): void {
    this.failures.set(address.toLowerCase(), {
      code: options.code ?? 550,
      message: options.message ?? 'Requested action not taken: mailbox unavailable',
      at: options.at ?? 'rcpt',
      remaining: options.times ?? Infinity,
    });
  }

  recover(address: string): void {
    this.failures.delete(address.toLowerCase());
  }

  messagesTo(address: string): SinkMessage[] {
    const wanted = address.toLowerCase();
    return this.messages.filter((message) => message.to.some((to) => to.toLowerCase() === wanted));
  }

  /** Resolves with the messages once at least `count` have arrived; rejects after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 10_000): Promise<SinkMessage[]> {
    if (this.messages.length < count) {
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (this.messages.length < count) return;
          clearTimeout(timer);
          this.waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          this.waiters.delete(check);
          reject(
            new Error(
              `SMTP sink: expected ${count} messages within ${timeoutMs} ms, got ${this.messages.length}`,
            ),
          );
        }, timeoutMs);
        this.waiters.add(check);
      });
    }
    return [...this.messages];
  }

  /** Forgets the messages received so far (failures stay). */
  clear(): void {
    this.messages.length = 0;
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private refusal(address: string, stage: 'rcpt' | 'data'): Error | null {
    const failure = this.failures.get(address.toLowerCase());
    if (!failure || failure.at !== stage || failure.remaining <= 0) return null;
    failure.remaining -= 1;
    return Object.assign(new Error(failure.message), { responseCode: failure.code });
  }

  private async receive(stream: SMTPServerDataStream, session: SMTPServerSession): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    const recipients = session.envelope.rcptTo.map((rcpt) => rcpt.address);
    for (const recipient of recipients) {
      const refused = this.refusal(recipient, 'data');
      if (refused) throw refused;
    }
    const parsed = await parseMessage(Buffer.concat(chunks));
    const envelopeFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    this.messages.push({ ...parsed, to: recipients, envelopeFrom, receivedAt: Date.now() });
    for (const check of [...this.waiters]) check();
  }
}

/** Parses RFC 5322 bytes (an SMTP DATA payload, an `.eml` file) as a mail client would. */
export async function parseMessage(source: Buffer | string): Promise<ParsedMessage> {
  const mail = await simpleParser(source);
  const headers: Record<string, string> = {};
  for (const [name, value] of mail.headers) headers[name] = headerText(value);
  const first = mail.from?.value[0];
  return {
    from: { name: first?.name ?? '', address: first?.address ?? '' },
    toHeader: addressesOf(mail.to),
    replyTo: addressesOf(mail.replyTo),
    subject: mail.subject ?? '',
    html: mail.html || '',
    text: mail.text ?? '',
    headers,
    messageId: mail.messageId ?? '',
    raw: Buffer.isBuffer(source) ? source.toString('utf8') : source,
  };
}

function addressesOf(field: AddressObject | AddressObject[] | undefined): string[] {
  const objects = field === undefined ? [] : Array.isArray(field) ? field : [field];
  return objects.flatMap((object) => object.value.map((address) => address.address ?? ''));
}

function headerText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(headerText).join(', ');
  if (value && typeof value === 'object') {
    if ('text' in value) return String((value as AddressObject).text);
    if ('value' in value) return String((value as { value: unknown }).value);
  }
  return String(value);
}

/** Every `<a href>` of an HTML part, with its label, entities decoded as a mail client reads them. */
export function linksIn(html: string): { href: string; label: string }[] {
  return [...html.matchAll(/<a\s[^>]*?href="([^"]*)"[^>]*>([\s\S]*?)<\/a>/g)].map(
    ([, href, label]) => ({ href: decodeHtml(href), label: decodeHtml(label.trim()) }),
  );
}

function decodeHtml(html: string): string {
  return html
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) =>
      String.fromCodePoint(Number.parseInt(hex, 16)),
    )
    .replace(/&#([0-9]+);/g, (_, decimal: string) =>
      String.fromCodePoint(Number.parseInt(decimal, 10)),
    )
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
