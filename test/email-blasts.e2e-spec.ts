import { randomBytes } from 'node:crypto';
import { BlastSendingService } from '../src/email/services/blast-sending.service';
import { BrandedMailer } from '../src/mailer/branded-mailer.service';
import { createTestApp, TestApp } from './support/app';
import { eventually } from './support/eventually';
import { factories, OwedItem, TestClub } from './support/factories';
import { linksIn, SmtpSink } from './support/smtp-sink';

const tag = () => randomBytes(4).toString('hex');

interface Blast {
  id: number;
  status: string;
  recipient_count: number;
  skipped_count: number;
  counts: { queued: number; sent: number; failed: number; skipped: number };
  failures: { parent_id: number; recipient: string; error: string; attempts: number }[];
  skipped: { parent_id: number; parent_name: string; reason: string }[];
  sample: { parent_id: number; to: string; subject: string; html: string; text: string } | null;
}

describe('email blasts: each family mailed at most once per approval (E1–E6)', () => {
  let sink: SmtpSink;
  let t: TestApp;

  beforeAll(async () => {
    sink = await SmtpSink.start();
    t = await createTestApp({
      env: { SMTP_URL: sink.url, MAIL_TRANSPORT: 'smtp', MAIL_FROM: 'billing@courtside.test' },
    });
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });

  /** A club of its own per test, so blasts and statements never see another test's families. */
  async function newClub(overrides: Parameters<ReturnType<typeof factories>['club']>[0] = {}) {
    return factories(t.db).club(overrides);
  }

  /** A family of `club` owing items, each with a pay link; `email` null for a parent without one. */
  async function familyOwing(
    club: TestClub,
    items: OwedItem[],
    email: string | null = `family-${tag()}@families.example`,
  ) {
    const family = await factories(t.db).familyOwing(club.tenant.id, items, { email });
    return { ...family, email: email! };
  }

  const dues = (player = `Player ${tag()}`) => [
    { player, product: 'Monthly dues', amountCents: 12_500 },
  ];

  const preview = async (club: TestClub, body: object = {}) =>
    (
      await t
        .as(club.apiKey)
        .post('/admin/email/blasts')
        .send({ query: 'outstanding_balances', ...body })
        .expect(201)
    ).body as Blast;
  const blastOf = async (club: TestClub, id: number) =>
    (await t.as(club.apiKey).get(`/admin/email/blasts/${id}`).expect(200)).body as Blast;
  const finished = (club: TestClub, id: number) =>
    eventually(async () => {
      const blast = await blastOf(club, id);
      expect(blast.counts.queued).toBe(0);
      expect(['sent', 'failed']).toContain(blast.status);
      return blast;
    });
  const send = async (club: TestClub, id: number) => {
    await t.as(club.apiKey).post(`/admin/email/blasts/${id}/send`).expect(200);
    return finished(club, id);
  };
  /** Lets a worker that would wrongly send again have the time to do it. */
  const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

  it('lists the blast registry with each query and its parameters', async () => {
    const club = await newClub();
    const res = await t.as(club.apiKey).get('/admin/email/queries').expect(200);
    expect(res.body.data).toEqual([
      expect.objectContaining({ name: 'outstanding_balances', available: true, params: [] }),
      expect.objectContaining({ name: 'first_payment', available: true, params: [] }),
      expect.objectContaining({
        name: 'tournament_committed',
        available: true,
        params: [expect.objectContaining({ name: 'tournament_id', required: true })],
      }),
    ]);
    await t
      .as(club.apiKey)
      .post('/admin/email/blasts')
      .send({ query: 'tournament_committed', params: {} })
      .expect(400);
    await t
      .as(club.apiKey)
      .post('/admin/email/blasts')
      .send({ query: 'outstanding_balances', params: { tournament_id: 1 } })
      .expect(400);
  });

  it('mails two players of one parent in one email and two parents in two, each Pay Now link to its own payment link', async () => {
    const club = await newClub();
    const lee = await familyOwing(club, [
      { player: 'Max Lee', product: 'Monthly dues', amountCents: 12_500 },
      { player: 'Mia Lee', product: 'Home jersey', amountCents: 4_500 },
    ]);
    const chen = await familyOwing(club, [
      { player: 'Sam Chen', product: 'Spring tryout', amountCents: 2_500 },
    ]);

    const blast = await preview(club);
    expect(blast).toMatchObject({ status: 'previewed', recipient_count: 2, skipped: [] });
    expect(blast.sample?.html).toContain('Pay');
    const done = await send(club, blast.id);
    expect(done).toMatchObject({ status: 'sent', counts: { sent: 2, failed: 0, queued: 0 } });

    const [leeMail] = sink.messagesTo(lee.email);
    expect(sink.messagesTo(lee.email)).toHaveLength(1);
    expect(sink.messagesTo(chen.email)).toHaveLength(1);
    expect(leeMail.subject).toContain('$170.00');
    expect(leeMail.headers['x-courtside-blast']).toBe(String(blast.id));
    const payLinks = linksIn(leeMail.html)
      .map((link) => link.href)
      .filter((href) => href.startsWith('https://pay.example/'));
    expect(payLinks).toEqual(lee.links.map((link) => link.url));
    expect(leeMail.text).toContain('Max Lee');
    expect(leeMail.text).toContain('Mia Lee');
    expect(leeMail.text).toContain(lee.links[1].url);
    expect(linksIn(sink.messagesTo(chen.email)[0].html).map((link) => link.href)).toContain(
      chen.links[0].url,
    );

    const html = await t
      .as(club.apiKey)
      .get(`/admin/email/blasts/${blast.id}/messages/${lee.parent.id}/html`)
      .expect(200)
      .expect('Content-Type', /text\/html/);
    expect(html.text).toBe(leeMail.html);
  });

  // E1
  it('sending one blast twice, or ten times at once, mails each family exactly once', async () => {
    const club = await newClub();
    const families = [await familyOwing(club, dues()), await familyOwing(club, dues())];
    const blast = await preview(club);

    const statuses = await Promise.all(
      Array.from(
        { length: 10 },
        async () => (await t.as(club.apiKey).post(`/admin/email/blasts/${blast.id}/send`)).status,
      ),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(9);
    await finished(club, blast.id);

    const again = await t.as(club.apiKey).post(`/admin/email/blasts/${blast.id}/send`).expect(409);
    expect(again.body).toMatchObject({ error: 'invalid_state', details: { status: 'sent' } });
    await settle();
    for (const family of families) expect(sink.messagesTo(family.email)).toHaveLength(1);
  });

  it('a worker that died mid-send never resends its claimed message: it waits, then shows as possibly delivered', async () => {
    const club = await newClub();
    const [first, second] = [await familyOwing(club, dues()), await familyOwing(club, dues())];
    const blast = await send(club, (await preview(club)).id);
    expect(blast.status).toBe('sent');
    sink.clear();
    // The state a crash leaves: the first family's message claimed (maybe handed to the mail
    // server), the second still queued, the blast still sending.
    await t.db.query(
      `UPDATE email_blasts SET status = 'sending', finished_at = NULL WHERE id = $1`,
      [blast.id],
    );
    await t.db.query(
      `UPDATE email_messages SET status = 'sending', claimed_at = now(), sent_at = NULL WHERE blast_id = $1 AND recipient = $2`,
      [blast.id, first.email],
    );
    await t.db.query(
      `UPDATE email_messages SET status = 'queued', sent_at = NULL WHERE blast_id = $1 AND recipient = $2`,
      [blast.id, second.email],
    );

    const blasts = t.app.get(BlastSendingService);
    await blasts.work(club.tenant.id, blast.id);
    expect(sink.messagesTo(second.email)).toHaveLength(1);
    expect(sink.messagesTo(first.email)).toHaveLength(0);
    expect((await blastOf(club, blast.id)).status).toBe('sending');

    await t.db.query(
      `UPDATE email_messages SET claimed_at = now() - interval '10 minutes' WHERE blast_id = $1 AND status = 'sending'`,
      [blast.id],
    );
    await blasts.work(club.tenant.id, blast.id);
    const after = await blastOf(club, blast.id);
    expect(after.status).toBe('sent');
    const [row] = await t.db.query(
      `SELECT status, error FROM email_messages WHERE blast_id = $1 AND recipient = $2`,
      [blast.id, first.email],
    );
    expect(row).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/may have reached the family/),
    });
    await settle();
    expect(sink.messagesTo(first.email)).toHaveLength(0);
    expect(sink.messagesTo(second.email)).toHaveLength(1);
  });

  it('sends a blast over several connections at once, and two workers on one blast still mail each family once', async () => {
    const club = await newClub();
    const families: Awaited<ReturnType<typeof familyOwing>>[] = [];
    for (let i = 0; i < 12; i++) families.push(await familyOwing(club, dues()));
    sink.setAcceptDelay(60);
    try {
      const blast = await preview(club);
      await t.as(club.apiKey).post(`/admin/email/blasts/${blast.id}/send`).expect(200);
      // A second worker on the same blast, as a retried job would be, alongside the queue's.
      await t.app.get(BlastSendingService).work(club.tenant.id, blast.id);
      const done = await finished(club, blast.id);
      expect(done).toMatchObject({ status: 'sent', counts: { sent: 12, failed: 0, queued: 0 } });
      await settle();
      for (const family of families) expect(sink.messagesTo(family.email)).toHaveLength(1);
      // One at a time, each message would arrive only after the last was accepted (60 ms on).
      const arrivals = families
        .map((family) => sink.messagesTo(family.email)[0].receivedAt)
        .sort((a, b) => a - b);
      const gaps = arrivals.slice(1).map((at, i) => at - arrivals[i]);
      expect(Math.min(...gaps)).toBeLessThan(60);
    } finally {
      sink.setAcceptDelay(0);
    }
  });

  it('a worker that dies mid-batch never resends what it claimed; the rerun sends the rest exactly once', async () => {
    const club = await newClub();
    const families: Awaited<ReturnType<typeof familyOwing>>[] = [];
    for (let i = 0; i < 8; i++) families.push(await familyOwing(club, dues()));
    const [dying, ...others] = [families[2], ...families.filter((_, i) => i !== 2)];
    const mailer = t.app.get(BrandedMailer);
    const send = mailer.send.bind(mailer);
    let died = false;
    // Not a refusal from the server: the worker itself fails while handing this message over.
    const spy = jest.spyOn(mailer, 'send').mockImplementation(async (mail) => {
      if (mail.to === dying.email && !died) {
        died = true;
        throw new Error('worker died mid-send');
      }
      return send(mail);
    });
    try {
      const blast = await preview(club);
      await t.as(club.apiKey).post(`/admin/email/blasts/${blast.id}/send`).expect(200);
      // The queue retries the job: that rerun sends what is still queued, never the claimed one.
      await eventually(() => {
        for (const family of others) expect(sink.messagesTo(family.email)).toHaveLength(1);
      }, 30_000);
      expect(died).toBe(true);
      const [claimed] = await t.db.query(
        `SELECT status, attempts FROM email_messages WHERE blast_id = $1 AND recipient = $2`,
        [blast.id, dying.email],
      );
      expect(claimed).toEqual({ status: 'sending', attempts: 1 });
      await eventually(async () => expect((await blastOf(club, blast.id)).counts.sent).toBe(7));
      expect((await blastOf(club, blast.id)).status).toBe('sending');

      await t.db.query(
        `UPDATE email_messages SET claimed_at = now() - interval '10 minutes' WHERE blast_id = $1 AND status = 'sending'`,
        [blast.id],
      );
      await t.app.get(BlastSendingService).work(club.tenant.id, blast.id);
      const after = await blastOf(club, blast.id);
      expect(after).toMatchObject({ status: 'sent', counts: { sent: 7, failed: 1 } });
      expect(after.failures).toEqual([
        expect.objectContaining({
          recipient: dying.email,
          error: expect.stringMatching(/may have reached the family/),
        }),
      ]);
      await settle();
      expect(sink.messagesTo(dying.email)).toHaveLength(0);
      for (const family of others) expect(sink.messagesTo(family.email)).toHaveLength(1);
    } finally {
      spy.mockRestore();
    }
  });

  it('queues a blast of 6,000 families in full (beyond one INSERT statement’s parameter limit)', async () => {
    const club = await newClub();
    const product = await factories(t.db).product(club.tenant.id, { name: 'Monthly dues' });
    await t.db.query(
      `WITH parents AS (
         INSERT INTO parents (tenant_id, name, email)
         SELECT $1, 'Family ' || i, 'family-' || i || '-' || $2 || '@families.example'
         FROM generate_series(1, 6000) i RETURNING id
       ), players AS (
         INSERT INTO players (tenant_id, parent_id, name, contract_status)
         SELECT $1, id, 'Player ' || id, 'signed' FROM parents RETURNING id, parent_id
       ), orders AS (
         INSERT INTO orders (tenant_id, player_id, parent_id, product_id, amount_cents, currency,
                             status, amount_paid_cents, amount_refunded_cents,
                             stripe_payment_link_id, stripe_checkout_url)
         SELECT $1, id, parent_id, $3, 12500, 'usd', 'pending', 0, 0, 'plink_many_' || id,
                'https://pay.example/plink_many_' || id
         FROM players RETURNING id, player_id, stripe_payment_link_id, stripe_checkout_url
       )
       INSERT INTO payment_links (tenant_id, player_id, product_id, order_id, stripe_payment_link_id,
                                  stripe_price_id, url, amount_cents, currency, status)
       SELECT $1, player_id, $3, id, stripe_payment_link_id, 'price_many', stripe_checkout_url,
              12500, 'usd', 'active'
       FROM orders`,
      [club.tenant.id, tag(), product.id],
    );
    // Fresh statistics, as autovacuum would have them: the planner otherwise sees tiny tables.
    await t.db.query('ANALYZE parents, players, orders, payment_links');
    sink.setAcceptDelay(100);
    try {
      const blast = await preview(club);
      expect(blast.recipient_count).toBe(6000);
      await t.as(club.apiKey).post(`/admin/email/blasts/${blast.id}/send`).expect(200);
      // Not 6,000 mails through the test sink: the blast is stopped once its rows are checked.
      await t.as(club.apiKey).post(`/admin/email/blasts/${blast.id}/cancel`).expect(200);
      await settle();
      const [rows] = await t.db.query(
        `SELECT count(*)::int AS messages, count(DISTINCT parent_id)::int AS families,
                count(*) FILTER (WHERE status = 'sent')::int AS sent,
                count(*) FILTER (WHERE status = 'skipped' AND skip_reason = 'cancelled')::int AS held,
                count(*) FILTER (WHERE html IS NOT NULL AND text_body IS NOT NULL)::int AS rendered
         FROM email_messages WHERE blast_id = $1`,
        [blast.id],
      );
      expect(rows).toMatchObject({ messages: 6000, families: 6000, rendered: 6000 });
      expect(rows.sent + rows.held).toBe(6000);
      expect(rows.held).toBeGreaterThan(0);
    } finally {
      sink.setAcceptDelay(0);
    }
  });

  it('a second preview of the same statements, approved after the first was sent, mails nobody again', async () => {
    const club = await newClub();
    const family = await familyOwing(club, dues());
    const first = await preview(club);
    const second = await preview(club);
    await send(club, first.id);

    const res = await t.as(club.apiKey).post(`/admin/email/blasts/${second.id}/send`).expect(409);
    expect(res.body.message).toMatch(/preview it again/);
    await settle();
    expect(sink.messagesTo(family.email)).toHaveLength(1);
  });

  // E2
  it('an SMTP refusal fails only that family with its reason; retry-failed then sends only that one', async () => {
    const club = await newClub();
    const ok = await familyOwing(club, dues());
    const refused = await familyOwing(club, dues());
    sink.failFor(refused.email, { code: 550, message: 'No such mailbox here' });

    const blast = await preview(club);
    const done = await send(club, blast.id);
    expect(done).toMatchObject({ status: 'sent', counts: { sent: 1, failed: 1, queued: 0 } });
    expect(done.failures).toEqual([
      {
        parent_id: refused.parent.id,
        recipient: refused.email,
        error: expect.stringMatching(/550|No such mailbox/),
        attempts: 1,
      },
    ]);
    expect(sink.messagesTo(ok.email)).toHaveLength(1);
    expect(sink.messagesTo(refused.email)).toHaveLength(0);

    sink.recover(refused.email);
    await t.as(club.apiKey).post(`/admin/email/blasts/${blast.id}/retry-failed`).expect(200);
    const retried = await finished(club, blast.id);
    expect(retried).toMatchObject({ status: 'sent', counts: { sent: 2, failed: 0 }, failures: [] });
    await settle();
    expect(sink.messagesTo(ok.email)).toHaveLength(1);
    expect(sink.messagesTo(refused.email)).toHaveLength(1);
  });

  it("lists the club's blasts and, for one blast, to whom each message went and what became of it", async () => {
    const club = await newClub();
    const ok = await familyOwing(club, dues());
    const refused = await familyOwing(club, dues());
    const noEmail = await familyOwing(club, dues(), null);
    sink.failFor(refused.email, { code: 550, message: 'No such mailbox here' });
    const blast = await preview(club);
    await send(club, blast.id);

    const list = await t.as(club.apiKey).get('/admin/email/blasts').expect(200);
    expect(list.body).toMatchObject({
      data: [{ id: blast.id, query: 'outstanding_balances', status: 'sent', recipient_count: 2 }],
      has_more: false,
    });
    const messages = await t
      .as(club.apiKey)
      .get(`/admin/email/blasts/${blast.id}/messages`)
      .expect(200);
    expect(
      messages.body.data.map((m: { parent_id: number; recipient: string; status: string }) => [
        m.parent_id,
        m.recipient,
        m.status,
      ]),
    ).toEqual(
      expect.arrayContaining([
        [ok.parent.id, ok.email, 'sent'],
        [refused.parent.id, refused.email, 'failed'],
      ]),
    );
    expect(messages.body.data).toContainEqual(
      expect.objectContaining({
        parent_id: noEmail.parent.id,
        recipient: null,
        status: 'skipped',
        skip_reason: 'no_email',
      }),
    );
    const failed = await t
      .as(club.apiKey)
      .get(`/admin/email/blasts/${blast.id}/messages?status=failed`)
      .expect(200);
    expect(failed.body.data).toEqual([
      expect.objectContaining({
        parent_id: refused.parent.id,
        error: expect.stringMatching(/550|No such mailbox/),
        sent_at: null,
      }),
    ]);
    sink.recover(refused.email);
  });

  it('cancelling a blast mid-send holds back every queued message; nothing more goes out and retry-failed refuses', async () => {
    const club = await newClub();
    const families: Awaited<ReturnType<typeof familyOwing>>[] = [];
    for (let i = 0; i < 6; i++) families.push(await familyOwing(club, dues()));
    sink.setAcceptDelay(400);
    try {
      const blast = await preview(club);
      await t.as(club.apiKey).post(`/admin/email/blasts/${blast.id}/send`).expect(200);
      await eventually(() =>
        expect(families.some((f) => sink.messagesTo(f.email).length > 0)).toBe(true),
      );

      const cancelled = await t
        .as(club.apiKey)
        .post(`/admin/email/blasts/${blast.id}/cancel`)
        .expect(200);
      expect(cancelled.body.status).toBe('cancelled');
      await settle();

      const messages = (
        await t.as(club.apiKey).get(`/admin/email/blasts/${blast.id}/messages`).expect(200)
      ).body.data as { recipient: string; status: string; skip_reason: string | null }[];
      const sent = messages.filter((m) => m.status === 'sent');
      const held = messages.filter((m) => m.status === 'skipped');
      expect(sent.length).toBeGreaterThan(0);
      expect(held.length).toBeGreaterThan(0);
      expect(sent.length + held.length).toBe(6);
      expect(held.every((m) => m.skip_reason === 'cancelled')).toBe(true);
      for (const family of families)
        expect(sink.messagesTo(family.email)).toHaveLength(
          sent.some((m) => m.recipient === family.email) ? 1 : 0,
        );
      expect((await blastOf(club, blast.id)).status).toBe('cancelled');
      await t.as(club.apiKey).post(`/admin/email/blasts/${blast.id}/retry-failed`).expect(409);
      await t.as(club.apiKey).post(`/admin/email/blasts/${blast.id}/cancel`).expect(409);
      await t.as(club.apiKey).post(`/admin/email/blasts/${blast.id}/send`).expect(409);
    } finally {
      sink.setAcceptDelay(0);
    }
  });

  it('a blast whose every message is refused ends failed, not sent', async () => {
    const club = await newClub();
    const refused = await familyOwing(club, dues());
    sink.failFor(refused.email);
    const blast = await preview(club);
    const done = await send(club, blast.id);
    expect(done).toMatchObject({ status: 'failed', counts: { sent: 0, failed: 1 } });
    sink.recover(refused.email);
  });

  // E3
  it('re-running the statement blast within the interval skips unchanged families and says so; a changed statement or force goes out', async () => {
    const club = await newClub();
    const unchanged = await familyOwing(club, dues());
    const changed = await familyOwing(club, dues('Ivy Park'));
    await send(club, (await preview(club)).id);

    const order = await factories(t.db).order(club.tenant.id, {
      playerId: (
        await t.db.query('SELECT id FROM players WHERE parent_id = $1', [changed.parent.id])
      )[0].id,
      amountCents: 3_000,
    });
    await factories(t.db).paymentLink(order);

    const rerun = await preview(club);
    expect(rerun.recipient_count).toBe(1);
    expect(rerun.skipped).toEqual([
      {
        parent_id: unchanged.parent.id,
        parent_name: unchanged.parent.name,
        reason: 'recently_sent',
      },
    ]);
    expect(rerun.sample?.to).toBe(changed.email);
    await send(club, rerun.id);
    expect(sink.messagesTo(unchanged.email)).toHaveLength(1);
    expect(sink.messagesTo(changed.email)).toHaveLength(2);

    const forced = await preview(club, { force: true });
    expect(forced).toMatchObject({ recipient_count: 2, skipped: [] });
  });

  // E4
  it('escapes a hostile player and product name in the HTML, keeps them readable in text, and keeps the subject on one line', async () => {
    const club = await newClub({ name: 'Hoops\r\nBcc: victim@evil.example' });
    const family = await familyOwing(club, [
      { player: '<script>alert(1)</script>', product: 'A & B "C"', amountCents: 1_000 },
    ]);
    await send(club, (await preview(club)).id);

    const [mail] = sink.messagesTo(family.email);
    expect(mail.html).not.toContain('<script>alert(1)</script>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toMatch(/A &amp; B (&quot;|&#x22;|&#34;)C(&quot;|&#x22;|&#34;)/);
    expect(mail.text).toContain('<script>alert(1)</script>');
    expect(mail.text).toContain('A & B "C"');
    expect(mail.subject).not.toMatch(/[\r\n]/);
    expect(mail.to).toEqual([family.email]);
    expect(sink.messagesTo('victim@evil.example')).toHaveLength(0);
  });

  // E5
  it('test_email restricts a blast to that family; other families get nothing', async () => {
    const club = await newClub();
    const target = await familyOwing(club, dues());
    const other = await familyOwing(club, dues());
    const blast = await preview(club, { test_email: target.email.toUpperCase() });
    expect(blast).toMatchObject({ recipient_count: 1 });
    await send(club, blast.id);
    await settle();
    expect(sink.messagesTo(target.email)).toHaveLength(1);
    expect(sink.messagesTo(other.email)).toHaveLength(0);
  });

  it("redirect_to delivers real families' statements only to that address, marked TEST, and does not count as sent to them", async () => {
    const club = await newClub();
    const families = [await familyOwing(club, dues()), await familyOwing(club, dues())];
    const admin = `admin-${tag()}@club.example`;
    const blast = await preview(club, { redirect_to: admin });
    expect(blast.sample?.to).toBe(admin);
    expect(blast.sample?.subject).toMatch(/^\[TEST\]/);
    await send(club, blast.id);
    await settle();

    const received = sink.messagesTo(admin);
    expect(received).toHaveLength(2);
    for (const mail of received) {
      expect(mail.subject).toMatch(/^\[TEST\]/);
      expect(mail.html).toMatch(/TEST/);
    }
    for (const family of families) expect(sink.messagesTo(family.email)).toHaveLength(0);
    // The families still get their real statement.
    expect(await preview(club)).toMatchObject({ recipient_count: 2, skipped: [] });
  });

  // E6
  it('skips a parent without an email as no_email and mails the others', async () => {
    const club = await newClub();
    const noEmail = await familyOwing(club, dues(), null);
    const family = await familyOwing(club, dues());
    const blast = await preview(club);
    expect(blast.recipient_count).toBe(1);
    expect(blast.skipped).toEqual([
      { parent_id: noEmail.parent.id, parent_name: noEmail.parent.name, reason: 'no_email' },
    ]);
    const done = await send(club, blast.id);
    expect(done).toMatchObject({ status: 'sent', counts: { sent: 1, skipped: 1, failed: 0 } });
    expect(sink.messagesTo(family.email)).toHaveLength(1);
  });

  it('drops a paid item from the next statement', async () => {
    const club = await newClub();
    const family = await familyOwing(club, [
      { player: 'Ava Fox', product: 'Monthly dues', amountCents: 9_000 },
      { player: 'Ava Fox', product: 'Tournament fee', amountCents: 6_000 },
    ]);
    await send(club, (await preview(club)).id);
    await t.db.query(`UPDATE orders SET status = 'paid', paid_at = now() WHERE id = $1`, [
      family.links[0].orderId,
    ]);
    await send(club, (await preview(club)).id);

    const [first, second] = sink.messagesTo(family.email);
    expect(first.text).toContain('Monthly dues');
    expect(second.text).not.toContain('Monthly dues');
    expect(second.text).toContain('Tournament fee');
    expect(linksIn(second.html).map((link) => link.href)).not.toContain(family.links[0].url);
  });

  it('the one-click outstanding-balance blast previews only on dry_run and sends on a real run', async () => {
    const club = await newClub();
    const family = await familyOwing(club, dues());
    const dry = await t
      .as(club.apiKey)
      .post('/admin/email/outstanding-balance?dry_run=true')
      .expect(200);
    expect(dry.body).toMatchObject({ status: 'previewed', recipient_count: 1, sent: false });
    await settle();
    expect(sink.messagesTo(family.email)).toHaveLength(0);

    const real = await t
      .as(club.apiKey)
      .post(`/admin/email/outstanding-balance?test_email=${encodeURIComponent(family.email)}`)
      .expect(200);
    expect(real.body).toMatchObject({ status: 'sending', sent: true });
    await finished(club, real.body.id);
    expect(sink.messagesTo(family.email)).toHaveLength(1);
  });

  it("another club's blast is a 404 for every blast route, and nothing is sent", async () => {
    const owner = await newClub();
    const family = await familyOwing(owner, dues());
    const blast = await preview(owner);
    const intruder = await newClub();
    const as = t.as(intruder.apiKey);
    await as.get(`/admin/email/blasts/${blast.id}`).expect(404);
    await as.post(`/admin/email/blasts/${blast.id}/send`).expect(404);
    await as.post(`/admin/email/blasts/${blast.id}/retry-failed`).expect(404);
    await as.get(`/admin/email/blasts/${blast.id}/messages/${family.parent.id}/html`).expect(404);
    await settle();
    expect(sink.messagesTo(family.email)).toHaveLength(0);
    expect((await blastOf(owner, blast.id)).status).toBe('previewed');
  });
});
