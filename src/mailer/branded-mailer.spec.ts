import type { MailConfig } from '../config';
import { DEFAULT_BRAND } from './brand.constants';
import { BrandedMailer } from './branded-mailer.service';
import { CompiledTemplates } from './compiled-templates';
import { MailContentRefused } from './mail.errors';
import type { MailBrand, StatementData } from './mail-templates';
import type { DeliveredMail, MailTransport, OutgoingMail } from './mail-transport';

/** Keeps what it is handed: the mailer's checks are under test here, not a transport. */
class RecordingTransport implements MailTransport {
  readonly kind = 'outbox';
  readonly destination = 'memory';
  readonly concurrency = 1;
  readonly delivered: OutgoingMail[] = [];

  async deliver(mail: OutgoingMail): Promise<DeliveredMail> {
    this.delivered.push(mail);
    return { messageId: `<${this.delivered.length}@courtside.test>` };
  }

  async close(): Promise<void> {}
}

const templates = CompiledTemplates.load();
const config: MailConfig = {
  transport: 'outbox',
  smtpUrl: undefined,
  from: 'billing@courtside.test',
  minIntervalHours: 24,
  smtpTimeouts: { connectionMs: 10_000, greetingMs: 10_000, socketMs: 30_000 },
};

function mailerWith(transport = new RecordingTransport()) {
  return { mailer: new BrandedMailer(templates, transport, config), transport };
}

const club: MailBrand = {
  name: 'Riverside Hoops',
  fromName: 'Riverside Hoops Treasurer',
  replyTo: 'treasurer@riverside.example',
  logoUrl: 'https://riverside.example/logo.png',
  brandPrimaryColor: '#0b5394',
  brandAccentColor: '#38761d',
  timezone: 'America/Los_Angeles',
};

const statement: StatementData = {
  parentName: 'Ana Chen',
  currency: 'usd',
  totalCents: 18_500,
  items: [
    {
      playerName: 'Mia Chen',
      itemName: 'Monthly dues',
      amountCents: 12_500,
      currency: 'usd',
      payUrl: 'https://pay.example/plink_1?a=1&b=2',
    },
    {
      playerName: 'Leo Chen',
      itemName: 'Winter Classic fee',
      amountCents: 6_000,
      currency: 'usd',
      payUrl: 'https://pay.example/plink_2',
    },
  ],
};

const render = (data: StatementData = statement, tenant: MailBrand = club, banner?: string) =>
  mailerWith().mailer.render('statement', { tenant, data, banner });

/** Text as a mail client reads it: Handlebars escapes `&`, `=` and quotes, in URLs too. */
const decoded = (html: string) =>
  html
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) =>
      String.fromCodePoint(Number.parseInt(hex, 16)),
    )
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

const linksOf = (html: string) =>
  [...html.matchAll(/<a href="([^"]*)"[^>]*>([^<]*)<\/a>/g)].map(([, href, label]) => ({
    href: decoded(href),
    label: decoded(label),
  }));

/** The statement's item rows: `<tr data-item>` … `</tr>`. */
const rowsOf = (html: string) =>
  [...html.matchAll(/<tr data-item>([\s\S]*?)<\/tr>/g)].map((match) => match[1]);

describe('BrandedMailer.render', () => {
  it('a statement has one row per item with player, item, amount and its own Pay Now link, and the total', () => {
    const { html, text, subject } = render();

    const rows = rowsOf(html);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('Mia Chen');
    expect(rows[0]).toContain('Monthly dues');
    expect(rows[0]).toContain('$125.00');
    expect(linksOf(rows[0])).toEqual([
      { href: 'https://pay.example/plink_1?a=1&b=2', label: 'Pay Now' },
    ]);
    expect(rows[1]).toContain('Leo Chen');
    expect(rows[1]).toContain('$60.00');
    expect(linksOf(rows[1])).toEqual([{ href: 'https://pay.example/plink_2', label: 'Pay Now' }]);
    expect(html).toMatch(/<tr data-total>[\s\S]*Total[\s\S]*\$185\.00/);

    expect(text).toContain(
      '- Mia Chen, Monthly dues: $125.00\n  Pay Now: https://pay.example/plink_1?a=1&b=2',
    );
    expect(text).toContain(
      '- Leo Chen, Winter Classic fee: $60.00\n  Pay Now: https://pay.example/plink_2',
    );
    expect(text).toContain('Total: $185.00');
    expect(subject).toBe('Riverside Hoops: your statement, $185.00 due');
  });

  it('a player named <script>alert(1)</script> and a product named A & B "C" are escaped in HTML and verbatim in text', () => {
    const hostile = {
      ...statement,
      parentName: 'Ana <b>Chen</b>',
      items: [
        { ...statement.items[0], playerName: '<script>alert(1)</script>' },
        { ...statement.items[1], itemName: 'A & B "C"' },
      ],
    };
    const { html, text } = render(hostile, { ...club, name: 'Hoops & <Friends>' });

    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>Chen');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('A &amp; B &quot;C&quot;');
    expect(html).toContain('Hoops &amp; &lt;Friends&gt;');

    expect(text).toContain('<script>alert(1)</script>');
    expect(text).toContain('A & B "C"');
    expect(text).toContain('Hello Ana <b>Chen</b>,');
    expect(text).toContain('Hoops & <Friends>');
  });

  it('the text part carries no HTML: no tags, no entities', () => {
    const { text } = render({
      ...statement,
      items: [{ ...statement.items[0], itemName: 'A & B "C" <jersey>' }, statement.items[1]],
    });
    expect(text).not.toMatch(/&(amp|lt|gt|quot|#x?[0-9a-f]+);/i);
    expect(text).not.toMatch(/<(td|tr|table|a|p|br|div)\b/i);
  });

  it('colours come from the club brand: primary on the header, accent on the Pay Now buttons', () => {
    const { html } = render();
    expect(html).toMatch(/background-color: #0b5394;[^"]*border-bottom: 4px solid #38761d/);
    for (const row of rowsOf(html)) expect(row).toMatch(/background-color: #38761d;[^"]*">Pay Now/);
    expect(html).not.toContain(DEFAULT_BRAND.primaryColor);
    expect(html).not.toContain(DEFAULT_BRAND.accentColor);

    const other = render(statement, {
      ...club,
      brandPrimaryColor: '#123456',
      brandAccentColor: '#abcdef',
    }).html;
    expect(other).toContain('#123456');
    expect(other).toContain('#abcdef');
    expect(other).not.toContain('#0b5394');
  });

  it('a malformed brand colour never reaches a style attribute: the default brand colour stands in', () => {
    const { html } = render(statement, {
      ...club,
      brandPrimaryColor: 'red; background-image: url(https://evil.example/x)',
      brandAccentColor: '',
    });
    expect(html).not.toContain('evil.example');
    expect(html).toContain(DEFAULT_BRAND.primaryColor);
    expect(html).toContain(DEFAULT_BRAND.accentColor);
  });

  it('the layout carries the club name, logo, reply-to and a footer with the club name', () => {
    const { html, text } = render();
    expect(html).toContain('<img src="https://riverside.example/logo.png" alt="Riverside Hoops"');
    expect(html).toContain('<a href="mailto:treasurer@riverside.example"');
    expect(html).toMatch(
      /Reply to this email[\s\S]*<strong[^>]*>Riverside Hoops<\/strong>\s*<\/td>/,
    );
    expect(html.match(/Riverside Hoops/g)!.length).toBeGreaterThanOrEqual(3);
    expect(text).toMatch(/^Riverside Hoops\n/);
    expect(text).toMatch(
      /--\nRiverside Hoops\nQuestions\? Reply to this email or write to treasurer@riverside\.example\.\n$/,
    );
  });

  it('a club without a logo or reply-to gets no image and no mailto link', () => {
    const { html, text } = render(statement, { ...club, logoUrl: null, replyTo: null });
    expect(html).not.toContain('<img');
    expect(html).not.toContain('mailto:');
    expect(text).toContain('Questions? Reply to this email.');
  });

  it.each(['javascript:alert(1)', 'data:image/png;base64,AAAA', 'file:///etc/passwd'])(
    'a logo URL %s is refused',
    (logoUrl) => {
      expect(() => render(statement, { ...club, logoUrl })).toThrow(MailContentRefused);
    },
  );

  it.each([
    'javascript:alert(document.cookie)',
    ' JavaScript:alert(1)',
    'data:text/html,<script>alert(1)</script>',
    'mailto:someone@example.com',
    'vbscript:msgbox(1)',
    '/relative/path',
  ])('a pay URL %j is refused: only http(s) links are mailed', (payUrl) => {
    const data = { ...statement, items: [{ ...statement.items[0], payUrl }, statement.items[1]] };
    expect(() => render(data)).toThrow(/items\[0\]\.payUrl/);
  });

  it('a banner marks the message as a TEST in the HTML, the text and the subject', () => {
    const { html, text, subject } = render(statement, club, 'for the Chen family, sent to you');
    expect(html).toMatch(/<td data-test-banner[^>]*>TEST: for the Chen family, sent to you<\/td>/);
    expect(text).toMatch(/^\*\*\* TEST: for the Chen family, sent to you \*\*\*\n/);
    expect(subject).toBe('[TEST] Riverside Hoops: your statement, $185.00 due');
  });

  it('without a banner nothing says TEST', () => {
    const { html, text, subject } = render();
    expect(html).not.toContain('data-test-banner');
    expect(text).not.toContain('TEST');
    expect(subject).not.toContain('TEST');
  });

  it('a club name or banner with line breaks still gives a one-line subject', () => {
    const { subject } = render(
      statement,
      { ...club, name: 'Riverside\r\nBcc: victim@example.com' },
      'line\none',
    );
    expect(subject).not.toMatch(/[\r\n]/);
    expect(subject).toBe('[TEST] Riverside Bcc: victim@example.com: your statement, $185.00 due');
  });

  it('a statement whose total is not the sum of its items is refused', () => {
    expect(() => render({ ...statement, totalCents: 18_600 })).toThrow(/totalCents/);
  });

  it('a statement mixing currencies is refused', () => {
    const data = {
      ...statement,
      items: [statement.items[0], { ...statement.items[1], currency: 'eur' }],
    };
    expect(() => render(data)).toThrow(/items\[1\]\.currency/);
  });

  it('an empty statement is refused: nothing is owed', () => {
    expect(() => render({ ...statement, items: [], totalCents: 0 })).toThrow(MailContentRefused);
  });

  it("a receipt names the player, item and amount, dated in the club's time zone", () => {
    const { html, text, subject } = mailerWith().mailer.render('receipt', {
      tenant: club,
      data: {
        parentName: 'Ana Chen',
        playerName: 'Mia Chen',
        itemName: 'A & B "C"',
        amountCents: 12_500,
        currency: 'usd',
        // 03:00 UTC on 1 March is still 28 February in Los Angeles.
        paidAt: new Date('2026-03-01T03:00:00Z'),
      },
    });
    expect(subject).toBe('Riverside Hoops: payment received for Mia Chen, $125.00');
    expect(html).toContain('A &amp; B &quot;C&quot;');
    expect(html).toContain('February 28, 2026');
    expect(text).toContain('Player:      Mia Chen');
    expect(text).toContain('Item:        A & B "C"');
    expect(text).toContain('Amount paid: $125.00');
    expect(text).toContain('Date:        February 28, 2026');
  });

  it('a first-payment message has a "Pay the first month" button to its link', () => {
    const payUrl = 'https://courtside.example/checkout/first-payment?token=abc&x=1';
    const { html, text, subject } = mailerWith().mailer.render('first_payment', {
      tenant: club,
      data: {
        parentName: 'Ana Chen',
        playerName: 'Mia Chen',
        teamName: 'U12 Girls',
        amountCents: 12_500,
        currency: 'usd',
        payUrl,
      },
    });
    expect(subject).toBe('Riverside Hoops: pay the first month for Mia Chen');
    expect(linksOf(html)).toEqual([
      { href: payUrl, label: 'Pay the first month' },
      { href: payUrl, label: payUrl },
      { href: 'mailto:treasurer@riverside.example', label: 'treasurer@riverside.example' },
    ]);
    expect(html).toContain('$125.00');
    expect(text).toContain(`Pay the first month: ${payUrl}`);
    expect(text).toContain('a place on U12 Girls is waiting');
  });
});

describe('BrandedMailer.send', () => {
  const message = () => ({
    to: 'ana.chen@families.example',
    fromName: club.fromName,
    replyTo: club.replyTo,
    ...render(),
  });

  it("hands the transport the message from MAIL_FROM under the club's name, with its reply-to", async () => {
    const { mailer, transport } = mailerWith();
    await expect(
      mailer.send({ ...message(), headers: { 'X-Courtside-Blast': '42' } }),
    ).resolves.toEqual({
      messageId: '<1@courtside.test>',
    });
    expect(transport.delivered).toEqual([
      expect.objectContaining({
        from: { name: 'Riverside Hoops Treasurer', address: 'billing@courtside.test' },
        to: 'ana.chen@families.example',
        replyTo: 'treasurer@riverside.example',
        subject: 'Riverside Hoops: your statement, $185.00 due',
        headers: { 'X-Courtside-Blast': '42' },
      }),
    ]);
  });

  it('sends without a reply-to when the club has none', async () => {
    const { mailer, transport } = mailerWith();
    await mailer.send({ ...message(), replyTo: null });
    expect(transport.delivered[0].replyTo).toBeUndefined();
  });

  it.each([
    ['subject', { subject: 'Statement\r\nBcc: victim@example.com' }],
    ['subject', { subject: 'Statement\nBcc: victim@example.com' }],
    ['subject', { subject: 'Statement\rBcc: victim@example.com' }],
    ['subject', { subject: 'Statement\u2028Bcc: victim@example.com' }],
    ['fromName', { fromName: 'Club\r\nBcc: victim@example.com' }],
    ['replyTo', { replyTo: 'a@club.example\r\nBcc: victim@example.com' }],
    ['to', { to: 'ana@families.example\nBcc: victim@example.com' }],
    ['headers.X-Blast', { headers: { 'X-Blast': '1\r\nBcc: victim@example.com' } }],
  ])('refuses header injection through %s, and sends nothing', async (field, change) => {
    const { mailer, transport } = mailerWith();
    const sending = mailer.send({ ...message(), ...change });
    await expect(sending).rejects.toThrow(MailContentRefused);
    await expect(sending).rejects.toMatchObject({ field });
    expect(transport.delivered).toHaveLength(0);
  });

  it.each([
    'ana@families.example, victim@example.com',
    'Ana <ana@families.example>',
    'ana@families.example;victim@example.com',
    'not-an-address',
    '',
  ])('refuses a recipient %j that is not exactly one address', async (to) => {
    const { mailer, transport } = mailerWith();
    await expect(mailer.send({ ...message(), to })).rejects.toMatchObject({ field: 'to' });
    expect(transport.delivered).toHaveLength(0);
  });

  it.each(['From', 'bcc', 'Subject', 'Reply-To', 'Content-Type', 'Bad Name', 'X:Y'])(
    'refuses an extra header %j that would override or break the message',
    async (name) => {
      const { mailer, transport } = mailerWith();
      await expect(mailer.send({ ...message(), headers: { [name]: 'x' } })).rejects.toThrow(
        MailContentRefused,
      );
      expect(transport.delivered).toHaveLength(0);
    },
  );

  it('refuses a message without an HTML or a text part', async () => {
    const { mailer } = mailerWith();
    await expect(mailer.send({ ...message(), text: ' ' })).rejects.toMatchObject({ field: 'text' });
    await expect(mailer.send({ ...message(), html: '' })).rejects.toMatchObject({ field: 'html' });
  });

  it("lets the transport's failure surface to the caller", async () => {
    const failing = new RecordingTransport();
    failing.deliver = () => Promise.reject(new Error('550 mailbox unavailable'));
    const { mailer } = mailerWith(failing);
    await expect(mailer.send(message())).rejects.toThrow('550 mailbox unavailable');
  });
});
