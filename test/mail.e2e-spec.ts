import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Tenant } from '../src/club/entities/tenant.entity';
import { mailConfig } from '../src/config';
import { BrandedMailer } from '../src/mailer/branded-mailer.service';
import { MailDeliveryError } from '../src/mailer/mail.errors';
import type { StatementData } from '../src/mailer/mail-templates';
import { SmtpTransport } from '../src/mailer/transports/smtp.transport';
import { createTestApp, TestApp } from './support/app';
import { factories } from './support/factories';
import { linksIn, parseMessage, SmtpSink } from './support/smtp-sink';

const MAIL_FROM = 'billing@courtside.test';

const CLUB = {
  name: 'Riverside Hoops & Friends',
  fromName: 'Riverside Hoops Treasurer',
  replyTo: 'treasurer@riverside.example',
  logoUrl: 'https://riverside.example/logo.png',
  brandPrimaryColor: '#0b5394',
  brandAccentColor: '#38761d',
};

const STATEMENT: StatementData = {
  parentName: 'Ana Chen',
  currency: 'usd',
  totalCents: 18_500,
  items: [
    {
      playerName: 'Mia Chen',
      itemName: 'Monthly dues',
      amountCents: 12_500,
      currency: 'usd',
      payUrl: 'https://pay.courtside.test/plink_mia?prefilled_email=ana%40families.example&x=1',
    },
    {
      playerName: 'Leo Chen',
      itemName: 'Winter Classic fee',
      amountCents: 6_000,
      currency: 'usd',
      payUrl: 'https://pay.courtside.test/plink_leo',
    },
  ],
};

/** What a blast does for one family: render the club's statement, then send it. */
function sendStatement(
  mailer: BrandedMailer,
  tenant: Tenant,
  to: string,
  data: StatementData = STATEMENT,
) {
  const rendered = mailer.render('statement', { tenant, data });
  return mailer.send({ to, fromName: tenant.fromName, replyTo: tenant.replyTo, ...rendered });
}

/** The statement's item rows: `<tr data-item>` … `</tr>`. */
const rowsOf = (html: string) =>
  [...html.matchAll(/<tr data-item>([\s\S]*?)<\/tr>/g)].map((match) => match[1]);

describe('BrandedMailer over SMTP, from the real app to a real SMTP server', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let mailer: BrandedMailer;
  let tenant: Tenant;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    t = await createTestApp({
      env: { SMTP_URL: sink.url, MAIL_TRANSPORT: 'smtp', MAIL_FROM },
    });
    mailer = t.app.get(BrandedMailer);
    tenant = (await factories(t.db).club(CLUB)).tenant;
  });
  afterAll(async () => {
    await t?.close();
    await sink?.close();
  });
  beforeEach(() => sink.clear());

  it("a statement arrives from the club's name at MAIL_FROM, replying to the club, with an HTML table of Pay Now links and a text part", async () => {
    const { messageId } = await sendStatement(mailer, tenant, 'ana.chen@families.example');

    const [message] = await sink.waitFor(1);
    expect(message.to).toEqual(['ana.chen@families.example']);
    expect(message.envelopeFrom).toBe(MAIL_FROM);
    expect(message.from).toEqual({ name: 'Riverside Hoops Treasurer', address: MAIL_FROM });
    expect(message.replyTo).toEqual(['treasurer@riverside.example']);
    expect(message.subject).toBe('Riverside Hoops & Friends: your statement, $185.00 due');
    expect(message.messageId).toBe(messageId);
    expect(message.headers['content-type']).toBe('multipart/alternative');

    expect(message.html).toContain('<table role="presentation" data-statement');
    const columns = [...message.html.matchAll(/<th[^>]*>([^<]*)<\/th>/g)].map((m) => m[1]);
    expect(columns).toEqual(['Player', 'Item', 'Amount', 'Pay Now']);
    const rows = rowsOf(message.html);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('Mia Chen');
    expect(rows[0]).toContain('$125.00');
    expect(linksIn(rows[0])).toEqual([{ href: STATEMENT.items[0].payUrl, label: 'Pay Now' }]);
    expect(rows[1]).toContain('Leo Chen');
    expect(linksIn(rows[1])).toEqual([{ href: STATEMENT.items[1].payUrl, label: 'Pay Now' }]);
    expect(message.html).toMatch(/<tr data-total>[\s\S]*\$185\.00/);
    expect(message.html).toContain('background-color: #0b5394');
    expect(message.html).toContain('<img src="https://riverside.example/logo.png"');

    expect(message.text).toContain('Hello Ana Chen,');
    expect(message.text).toContain(
      `- Mia Chen, Monthly dues: $125.00\n  Pay Now: ${STATEMENT.items[0].payUrl}`,
    );
    expect(message.text).toContain(
      `- Leo Chen, Winter Classic fee: $60.00\n  Pay Now: ${STATEMENT.items[1].payUrl}`,
    );
    expect(message.text).toContain('Total: $185.00');
    expect(message.text).not.toMatch(/<[a-z]+[\s>]|&amp;/);
  });

  it('hostile names arrive escaped in the HTML part, verbatim in the text part, and cannot add a header', async () => {
    const hostile: StatementData = {
      ...STATEMENT,
      items: [
        { ...STATEMENT.items[0], playerName: '<script>alert(1)</script>' },
        { ...STATEMENT.items[1], itemName: 'A & B "C"' },
      ],
    };
    const club = { ...tenant, name: 'Riverside\r\nBcc: victim@example.com' };
    await sendStatement(mailer, club, 'ana.chen@families.example', hostile);

    const [message] = await sink.waitFor(1);
    expect(message.html).not.toContain('<script>');
    expect(message.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(message.html).toContain('A &amp; B &quot;C&quot;');
    expect(message.text).toContain('- <script>alert(1)</script>, Monthly dues: $125.00');
    expect(message.text).toContain('- Leo Chen, A & B "C": $60.00');
    expect(message.subject).toBe('Riverside Bcc: victim@example.com: your statement, $185.00 due');
    expect(message.headers).not.toHaveProperty('bcc');
    expect(message.to).toEqual(['ana.chen@families.example']);
  });

  it('a recipient the server refuses (550 at RCPT TO) surfaces as a permanent MailDeliveryError, and nothing is delivered', async () => {
    sink.failFor('gone@families.example');

    const sending = sendStatement(mailer, tenant, 'gone@families.example');
    await expect(sending).rejects.toBeInstanceOf(MailDeliveryError);
    await expect(sending).rejects.toMatchObject({
      recipient: 'gone@families.example',
      permanent: true,
      responseCode: 550,
      message: expect.stringContaining('mailbox unavailable'),
    });
    expect(sink.messages).toHaveLength(0);
  });

  it('a temporary refusal of the message (451 at DATA) surfaces as a retryable error, and the retry delivers once', async () => {
    sink.failFor('busy@families.example', { at: 'data', code: 451, times: 1 });

    await expect(sendStatement(mailer, tenant, 'busy@families.example')).rejects.toMatchObject({
      permanent: false,
      responseCode: 451,
    });
    await expect(sendStatement(mailer, tenant, 'busy@families.example')).resolves.toEqual({
      messageId: expect.stringMatching(/^<.+@.+>$/),
    });
    expect(sink.messagesTo('busy@families.example')).toHaveLength(1);
  });

  it("one family's refused address does not stop the others, and the pool reuses its connections", async () => {
    const families = ['a', 'b', 'c', 'd', 'e', 'f'].map((name) => `${name}@families.example`);
    sink.failFor('c@families.example');
    const connectionsBefore = sink.connections;

    const outcomes = await Promise.allSettled(
      families.map((to) => sendStatement(mailer, tenant, to)),
    );

    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
      'fulfilled',
    ]);
    expect(sink.messages.flatMap((message) => message.to).sort()).toEqual(
      families.filter((to) => to !== 'c@families.example'),
    );
    // At most the pool's three connections, however many messages: each costs a greeting.
    expect(sink.connections - connectionsBefore).toBeLessThanOrEqual(3);
  });
});

describe('the SMTP transport', () => {
  let sink: SmtpSink;
  let transport: SmtpTransport;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    // SMTP_URL's query sets the pool's options: two messages per second here.
    transport = new SmtpTransport(`${sink.url}/?rateLimit=2`, mailConfig().smtpTimeouts);
  });
  afterAll(async () => {
    await transport?.close();
    await sink?.close();
  });

  it('sends no more messages per second than its rate limit', async () => {
    const mail = (to: string) => ({
      from: { name: 'Riverside Hoops', address: MAIL_FROM },
      to,
      subject: 'Rate',
      html: '<p>Rate</p>',
      text: 'Rate',
      headers: {},
    });

    const started = Date.now();
    await Promise.all(
      [1, 2, 3, 4, 5].map((n) => transport.deliver(mail(`n${n}@families.example`))),
    );

    // Two may start at once, the next two a window later, the fifth two windows later: however
    // many pooled connections are free. Network time only adds, so these are lower bounds.
    const after = sink.messages
      .map((message) => message.receivedAt - started)
      .sort((a, b) => a - b);
    expect(after).toHaveLength(5);
    expect(after[2]).toBeGreaterThanOrEqual(990);
    expect(after[4]).toBeGreaterThanOrEqual(1990);
  });
});

describe('the outbox transport (MAIL_TRANSPORT=outbox)', () => {
  let dataDir: string;
  let t: TestApp;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'courtside-outbox-'));
    // Readable by all, as an earlier version left it.
    await mkdir(path.join(dataDir, 'outbox'), { mode: 0o755 });
    t = await createTestApp({ env: { MAIL_TRANSPORT: 'outbox', DATA_DIR: dataDir, MAIL_FROM } });
  });
  afterAll(async () => {
    await t?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes each message as an .eml file under DATA_DIR/outbox that a mail parser reads back whole', async () => {
    const mailer = t.app.get(BrandedMailer);
    const { tenant } = await factories(t.db).club(CLUB);

    const first = await sendStatement(mailer, tenant, 'ana.chen@families.example');
    const second = await sendStatement(mailer, tenant, 'bo.baker@families.example');

    const outbox = path.join(dataDir, 'outbox');
    const files = (await readdir(outbox)).sort();
    expect(files).toHaveLength(2);
    expect(files.every((file) => file.endsWith('.eml'))).toBe(true);

    const messages = await Promise.all(
      files.map(async (file) => parseMessage(await readFile(path.join(outbox, file)))),
    );
    expect(messages.map((message) => message.messageId).sort()).toEqual(
      [first.messageId, second.messageId].sort(),
    );
    const ana = messages.find((message) => message.toHeader[0] === 'ana.chen@families.example')!;
    expect(ana.from).toEqual({ name: 'Riverside Hoops Treasurer', address: MAIL_FROM });
    expect(ana.replyTo).toEqual(['treasurer@riverside.example']);
    expect(ana.subject).toBe('Riverside Hoops & Friends: your statement, $185.00 due');
    expect(linksIn(ana.html).filter((link) => link.label === 'Pay Now')).toEqual(
      STATEMENT.items.map((item) => ({ href: item.payUrl, label: 'Pay Now' })),
    );
    expect(ana.text).toContain('Total: $185.00');
    // RFC 5322 on disk: CRLF line ends.
    expect(ana.raw).toMatch(/^[\s\S]*\r\nSubject: /);
  });

  it('writes .eml files only the owner can read (0600), in a folder only the owner can open (0700) (A10)', async () => {
    const mailer = t.app.get(BrandedMailer);
    const { tenant } = await factories(t.db).club(CLUB);
    await sendStatement(mailer, tenant, 'cy.diaz@families.example');

    const outbox = path.join(dataDir, 'outbox');
    expect(((await stat(outbox)).mode & 0o777).toString(8)).toBe('700');
    const files = await readdir(outbox);
    expect(files.length).toBeGreaterThan(0);
    for (const file of files)
      expect({
        file,
        mode: ((await stat(path.join(outbox, file))).mode & 0o777).toString(8),
      }).toEqual({ file, mode: '600' });
  });
});
