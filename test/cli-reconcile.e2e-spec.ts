import type { Order } from '../src/orders/entities/order.entity';
import type { StripeEmulator, StripeEvent } from '../src/stripe-emulator';
import { sdkClient } from '../src/stripe-emulator/testing/sdk-client';
import { WebhookReceiver } from '../src/stripe-emulator/testing/webhook-receiver';
import type { TestApp } from './support/app';
import { CliReport, runCli, runCliJson } from './support/cli';
import { eventually } from './support/eventually';
import { factories, TestClub } from './support/factories';
import { stripeWrites, withStripeApp } from './support/stripe';
import { countOf, eventsAbout } from './support/webhook-events';

interface MintedLink {
  id: number;
  stripe_payment_link_id: string;
}

type Item = CliReport['items'][number];

/**
 * `reconcile` and `webhooks:replay` run as the built CLI (a real process) against this file's
 * database and Stripe emulator, while the app keeps serving webhooks and working its job queue.
 */
describe('reconcile and webhooks:replay', () => {
  let stripe: StripeEmulator;
  let t: TestApp;
  let failing: WebhookReceiver;

  // Short retry delays: every delivery to the failing endpoint is tried three times.
  withStripeApp((made) => ({ stripe, t } = made), { emulator: { webhookRetryDelayMs: 10 } });
  beforeAll(async () => {
    failing = await WebhookReceiver.start();
    failing.respond = () => 500;
  });
  afterAll(() => failing.close());

  const cli = (...args: string[]) => runCliJson({ app: t, stripe }, ...args);
  const sdk = () => sdkClient(stripe);

  /** The webhook endpoint answers 500 to everything, as during an outage. */
  const endpointDown = () => stripe.setWebhookUrl(failing.url);
  const endpointUp = async () => stripe.setWebhookUrl(`${await t.app.getUrl()}/webhooks/stripe`);

  async function mintedOrder(club: TestClub): Promise<{ order: Order; link: MintedLink }> {
    const order = await factories(t.db).order(club.tenant.id);
    const link = (
      await t.as(club.apiKey).post(`/admin/orders/${order.id}/payment-link`).expect(201)
    ).body as MintedLink;
    return { order, link };
  }
  const orderOf = async (id: number) =>
    (
      (await t.db.query(
        `SELECT status, amount_paid_cents, amount_refunded_cents, paid_at, disputed_at
         FROM orders WHERE id = $1`,
        [id],
      )) as {
        status: string;
        amount_paid_cents: number;
        amount_refunded_cents: number;
        paid_at: Date | null;
        disputed_at: Date | null;
      }[]
    )[0];
  const audits = (orderId: number, action: string) =>
    countOf(t, 'audit_log WHERE subject = $1 AND action = $2', [`order:${orderId}`, action]);
  const receiptJobs = (orderId: number) =>
    countOf(t, `pgboss.job WHERE name = 'email.receipt' AND (data ->> 'orderId')::int = $1`, [
      orderId,
    ]);
  const inboxRows = async (ids: string[]) =>
    (await t.db.query(
      'SELECT id, outcome, tenant_id, attempts FROM stripe_events WHERE id = ANY($1) ORDER BY id',
      [ids],
    )) as { id: string; outcome: string; tenant_id: number | null; attempts: number }[];
  /** Every event about these Checkout Sessions and their payments, oldest first. */
  const eventsOf = (...sessions: { id: string; payment_intent: string | null }[]) => {
    const ids = new Set(
      sessions.flatMap((session) =>
        [...eventsAbout(stripe, session.id), ...eventsAbout(stripe, session.payment_intent!)].map(
          (event) => event.id,
        ),
      ),
    );
    return stripe.events.filter((event) => ids.has(event.id));
  };
  const itemsFor = (report: CliReport, events: StripeEvent[]) =>
    events.map((event) => {
      const item = report.items.find((candidate) => candidate.columns.event === event.id);
      if (!item) throw new Error(`The report has no item for ${event.type} ${event.id}`);
      return item;
    });
  /** Jobs the app's workers have not finished: a snapshot taken meanwhile would move. */
  const jobsSettled = () =>
    eventually(async () => {
      expect(await countOf(t, `pgboss.job WHERE state IN ('created', 'retry', 'active')`)).toBe(0);
    }, 30_000);
  /** Everything a reconcile could write. */
  async function everything() {
    await jobsSettled();
    const rows = async (sql: string) => JSON.stringify(await t.db.query(sql));
    return {
      orders: await rows('SELECT * FROM orders ORDER BY id'),
      links: await rows('SELECT * FROM payment_links ORDER BY id'),
      events: await rows(
        'SELECT id, outcome, tenant_id, error, attempts, processed_at FROM stripe_events ORDER BY id',
      ),
      audit: await countOf(t, 'audit_log'),
      jobs: await countOf(t, 'pgboss.job'),
      messages: await countOf(t, 'email_messages'),
      overpayments: await countOf(t, 'overpayments'),
    };
  }

  it('a dry run reports what it would apply and writes nothing: no row, no job, no call to Stripe', async () => {
    const club = await factories(t.db).club();
    const paid = await mintedOrder(club);
    const refunded = await mintedOrder(club);
    endpointDown();
    const paidSession = await stripe.pay(paid.link.stripe_payment_link_id);
    const refundedSession = await stripe.pay(refunded.link.stripe_payment_link_id);
    await sdk().refunds.create({ payment_intent: refundedSession.payment_intent! });
    await stripe.waitForDeliveries();
    await endpointUp();
    const before = await everything();
    const postsBefore = stripeWrites(stripe);

    const run = await cli('reconcile', '--tenant', club.tenant.slug);

    expect(run.code).toBe(0);
    expect(run.report.commit).toBe(false);
    const items = itemsFor(run.report, eventsOf(paidSession, refundedSession));
    expect(items.map((item) => item.status)).toEqual(items.map(() => 'would_do'));
    // The refund is judged after its payment, as --commit will apply them.
    expect(
      items
        .filter((item) => item.columns.type !== 'payment_intent.succeeded')
        .map((item) => [item.columns.type, item.columns.order, item.result]),
    ).toEqual([
      ['checkout.session.completed', paid.order.id, 'processed'],
      ['checkout.session.completed', refunded.order.id, 'processed'],
      ['charge.refunded', refunded.order.id, 'processed'],
    ]);
    expect(await everything()).toEqual(before);
    expect(stripeWrites(stripe)).toBe(postsBefore);

    // The same run with --commit does what the dry run listed.
    const commit = await cli('reconcile', '--tenant', club.tenant.slug, '--commit');
    expect(commit.code).toBe(0);
    expect(await orderOf(paid.order.id)).toMatchObject({ status: 'paid' });
    expect(await orderOf(refunded.order.id)).toMatchObject({ status: 'refunded' });
  });

  it('reconcile after the webhook endpoint returned 500 for every delivery applies every payment exactly once', async () => {
    const club = await factories(t.db).club();
    const card = await mintedOrder(club);
    const bank = await mintedOrder(club);
    const refunded = await mintedOrder(club);
    const disputed = await mintedOrder(club);
    const bounced = await mintedOrder(club);

    endpointDown();
    const cardSession = await stripe.pay(card.link.stripe_payment_link_id);
    const bankSession = await stripe.pay(bank.link.stripe_payment_link_id, {
      method: 'bank_debit',
    });
    await stripe.settleBankDebit(bankSession.id, 'succeeded');
    const refundedSession = await stripe.pay(refunded.link.stripe_payment_link_id);
    await sdk().refunds.create({ payment_intent: refundedSession.payment_intent!, amount: 1_500 });
    await sdk().refunds.create({ payment_intent: refundedSession.payment_intent! });
    const disputedSession = await stripe.pay(disputed.link.stripe_payment_link_id);
    await stripe.dispute(disputedSession.payment_intent!);
    const bouncedSession = await stripe.pay(bounced.link.stripe_payment_link_id, {
      method: 'bank_debit',
    });
    await stripe.settleBankDebit(bouncedSession.id, 'failed');
    await stripe.waitForDeliveries();

    const events = eventsOf(
      cardSession,
      bankSession,
      refundedSession,
      disputedSession,
      bouncedSession,
    );
    const ids = events.map((event) => event.id);
    expect(events.map((event) => event.type).sort()).toEqual(
      [
        ...['payment_intent.succeeded', 'checkout.session.completed'],
        ...[
          'checkout.session.completed',
          'payment_intent.succeeded',
          'checkout.session.async_payment_succeeded',
        ],
        ...['payment_intent.succeeded', 'checkout.session.completed'],
        ...['charge.refunded', 'charge.refunded'],
        ...['payment_intent.succeeded', 'checkout.session.completed', 'charge.dispute.created'],
        ...['checkout.session.completed', 'checkout.session.async_payment_failed'],
      ].sort(),
    );
    const deliveries = stripe.deliveries.filter((delivery) => ids.includes(delivery.eventId));
    expect(deliveries.length).toBeGreaterThanOrEqual(ids.length);
    expect(deliveries.every((delivery) => delivery.status === 500)).toBe(true);
    expect(await inboxRows(ids)).toEqual([]);

    const run = await cli('reconcile', '--tenant', club.tenant.slug, '--commit');

    expect(run.code).toBe(0);
    const items = itemsFor(run.report, events);
    expect(items.map((item) => item.status)).toEqual(items.map(() => 'done'));
    expect(items.every((item) => item.columns.club === club.tenant.slug)).toBe(true);
    // Applied in Stripe's order: the partial refund, then the full one.
    expect(
      items
        .filter((item) => item.columns.type === 'charge.refunded')
        .map((item) => [item.columns.order, item.result]),
    ).toEqual([
      [refunded.order.id, 'processed'],
      [refunded.order.id, 'processed'],
    ]);
    expect(await orderOf(card.order.id)).toMatchObject({
      status: 'paid',
      amount_paid_cents: card.order.amountCents,
    });
    expect(await orderOf(bank.order.id)).toMatchObject({
      status: 'paid',
      amount_paid_cents: bank.order.amountCents,
    });
    expect(await orderOf(refunded.order.id)).toMatchObject({
      status: 'refunded',
      amount_refunded_cents: refunded.order.amountCents,
    });
    expect(await orderOf(disputed.order.id)).toMatchObject({
      status: 'paid',
      disputed_at: expect.any(Date),
    });
    expect(await orderOf(bounced.order.id)).toMatchObject({ status: 'failed', paid_at: null });
    for (const { order } of [card, bank, refunded, disputed]) {
      expect(await audits(order.id, 'order.paid')).toBe(1);
      expect(await receiptJobs(order.id)).toBe(1);
    }
    expect(await audits(bank.order.id, 'order.processing')).toBe(1);
    expect(await audits(refunded.order.id, 'order.refunded')).toBe(2);
    expect(await audits(disputed.order.id, 'order.disputed')).toBe(1);
    expect(await audits(bounced.order.id, 'order.payment_failed')).toBe(1);
    expect(await audits(bounced.order.id, 'order.paid')).toBe(0);
    expect(await receiptJobs(bounced.order.id)).toBe(0);
    const inbox = await inboxRows(ids);
    expect(inbox.map((row) => row.id)).toEqual([...ids].sort());
    expect(inbox.every((row) => row.attempts === 1)).toBe(true);
    await eventually(async () => {
      const [{ count }] = await t.db.query(
        `SELECT count(*)::int AS count FROM email_messages WHERE receipt_order_id = ANY($1)`,
        [[card, bank, refunded, disputed].map(({ order }) => order.id)],
      );
      expect(count).toBe(4);
    }, 30_000);

    // A second --commit finds everything in place and writes nothing.
    const before = await everything();
    const again = await cli('reconcile', '--tenant', club.tenant.slug, '--commit');
    expect(again.code).toBe(0);
    expect(again.report.summary.done).toBe(0);
    expect(itemsFor(again.report, events).map((item) => item.status)).toEqual(
      events.map(() => 'unchanged'),
    );
    expect(await everything()).toEqual(before);

    // Stripe's own retries, once the endpoint is back, are duplicates that change nothing.
    await endpointUp();
    for (const id of ids) expect(await stripe.redeliver(id)).toBe(200);
    const after = await everything();
    expect(after).toMatchObject({
      orders: before.orders,
      links: before.links,
      audit: before.audit,
      jobs: before.jobs,
      messages: before.messages,
    });
    expect((await inboxRows(ids)).map((row) => row.attempts)).toEqual(ids.map(() => 2));
  });

  it.each([
    ['2020-01-01', /--since 2020-01-01 is more than 30 days ago: Stripe keeps events for 30 days/],
    ['2999-01-01', /--since 2999-01-01 is in the future/],
    ['last-tuesday', /--since "last-tuesday" is not a date/],
  ])('reconcile --since %s exits 1 with a clear message', async (since, message) => {
    const run = await runCli({ app: t, stripe }, 'reconcile', '--since', since);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(message);
    expect(run.out).toBe('');
  });

  it('a session paid at Stripe whose events Stripe no longer lists is applied once, as reconcile:<session>', async () => {
    const club = await factories(t.db).club();
    const { order, link } = await mintedOrder(club);
    endpointDown();
    const session = await stripe.pay(link.stripe_payment_link_id);
    await stripe.waitForDeliveries();
    await endpointUp();
    // Events older than Stripe's 30 days are gone while the session still lists: moved back
    // in time here, the emulator's events drop out of the window as they would at Stripe.
    for (const event of eventsOf(session)) event.created -= 31 * 24 * 60 * 60;

    const run = await cli('reconcile', '--tenant', club.tenant.slug, '--commit');

    expect(run.code).toBe(0);
    const checks = run.report.items.filter((item) => item.columns.event === session.id);
    expect(checks).toEqual([
      {
        columns: {
          club: club.tenant.slug,
          event: session.id,
          type: 'session paid at Stripe',
          order: order.id,
        },
        status: 'done',
        result: `paid at Stripe, not here (order pending): recorded as reconcile:${session.id}: processed`,
      },
    ]);
    expect(await orderOf(order.id)).toMatchObject({ status: 'paid' });
    expect(await audits(order.id, 'order.paid')).toBe(1);
    expect(await inboxRows([`reconcile:${session.id}`])).toEqual([
      {
        id: `reconcile:${session.id}`,
        outcome: 'processed',
        tenant_id: club.tenant.id,
        attempts: 1,
      },
    ]);

    const before = await everything();
    const again = await cli('reconcile', '--tenant', club.tenant.slug, '--commit');
    expect(again.code).toBe(0);
    expect(again.report.items).toEqual([]);
    expect(await everything()).toEqual(before);
  });

  it('orders paid here that Stripe does not show paid are reported, changed by nothing, and make the exit code 1', async () => {
    const club = await factories(t.db).club();
    const invented = await factories(t.db).order(club.tenant.id);
    const { order: unpaid, link } = await mintedOrder(club);
    const open = await stripe.openSession(link.stripe_payment_link_id);
    const markPaid = (order: Order, sessionId: string) =>
      t.db.query(
        `UPDATE orders SET status = 'paid', amount_paid_cents = amount_cents, paid_at = now(),
           stripe_checkout_session_id = $2 WHERE id = $1`,
        [order.id, sessionId],
      );
    await markPaid(invented, 'cs_test_made_up_by_hand');
    await markPaid(unpaid, open.id);
    try {
      const before = await everything();

      const run = await cli('reconcile', '--tenant', club.tenant.slug, '--commit');

      expect(run.code).toBe(1);
      expect(run.err).toMatch(
        /2 payment difference\(s\) between Stripe and Courtside need a person/,
      );
      expect(run.report.items).toEqual([
        {
          columns: {
            club: club.tenant.slug,
            event: 'cs_test_made_up_by_hand',
            type: 'order paid here',
            order: invented.id,
          },
          status: 'skipped',
          result:
            'paid here (paid), unknown to Stripe: Stripe has no Checkout Session cs_test_made_up_by_hand',
        },
        {
          columns: {
            club: club.tenant.slug,
            event: open.id,
            type: 'order paid here',
            order: unpaid.id,
          },
          status: 'skipped',
          result: `paid here (paid), not at Stripe: Stripe shows session ${open.id} open, unpaid`,
        },
      ]);
      expect(await everything()).toEqual(before);
    } finally {
      // Later tests reconcile every club: leave no difference behind.
      await t.db.query(
        `UPDATE orders SET status = 'pending', amount_paid_cents = 0, paid_at = NULL,
           stripe_checkout_session_id = NULL WHERE id = ANY($1)`,
        [[invented.id, unpaid.id]],
      );
    }
  });

  it('webhooks:replay --outcome unmatched applies an event that became matchable exactly once; --event on a processed one changes nothing', async () => {
    const club = await factories(t.db).club();
    const { order, link } = await mintedOrder(club);
    // The link's row is missing when the payment arrives (restored from an old backup, say).
    await t.db.query(
      'CREATE TABLE held_payment_link AS SELECT * FROM payment_links WHERE id = $1',
      [link.id],
    );
    await t.db.query('DELETE FROM payment_links WHERE id = $1', [link.id]);
    const session = await stripe.pay(link.stripe_payment_link_id);
    await stripe.waitForDeliveries();
    const completed = eventsOf(session).find(
      (event) => event.type === 'checkout.session.completed',
    )!;
    expect(await inboxRows([completed.id])).toMatchObject([
      { outcome: 'unmatched', tenant_id: club.tenant.id },
    ]);
    expect(await orderOf(order.id)).toMatchObject({ status: 'pending' });

    // reconcile sees the difference but cannot settle it: a person must fix the cause.
    const found = await cli('reconcile', '--tenant', club.tenant.slug);
    expect(found.code).toBe(1);
    expect(found.report.items.find((item) => item.columns.event === session.id)).toMatchObject({
      columns: { type: 'session paid at Stripe', order: order.id },
      status: 'skipped',
      result: expect.stringMatching(
        new RegExp(
          `^paid at Stripe, not here \\(order pending\\): its event ${completed.id} was stored as unmatched: payment link ${link.stripe_payment_link_id} is not one Courtside minted .*; fix that, then run webhooks:replay --event ${completed.id}$`,
        ),
      ),
    });

    await t.db.query(
      'INSERT INTO payment_links OVERRIDING SYSTEM VALUE SELECT * FROM held_payment_link',
    );
    await t.db.query('DROP TABLE held_payment_link');
    const replay = (...args: string[]) =>
      cli('webhooks:replay', '--outcome', 'unmatched', '--tenant', club.tenant.slug, ...args);

    const before = await everything();
    const dry = await replay();
    expect(dry.code).toBe(0);
    expect(dry.report.items).toEqual([
      {
        columns: {
          club: club.tenant.slug,
          event: completed.id,
          type: 'checkout.session.completed',
          order: order.id,
        },
        status: 'would_do',
        result: 'unmatched → processed',
      },
    ]);
    expect(await everything()).toEqual(before);

    const commit = await replay('--commit');
    expect(commit.code).toBe(0);
    expect(commit.report.items.map((item) => [item.status, item.result])).toEqual([
      ['done', 'unmatched → processed'],
    ]);
    expect(await orderOf(order.id)).toMatchObject({
      status: 'paid',
      amount_paid_cents: order.amountCents,
    });
    expect(await audits(order.id, 'order.paid')).toBe(1);
    expect(await receiptJobs(order.id)).toBe(1);
    expect(await inboxRows([completed.id])).toEqual([
      { id: completed.id, outcome: 'processed', tenant_id: club.tenant.id, attempts: 1 },
    ]);

    const settled = await everything();
    const again = await replay('--commit');
    expect(again.code).toBe(0);
    expect(again.report.items).toEqual([]);
    const byId = await cli('webhooks:replay', '--event', completed.id, '--commit');
    expect(byId.code).toBe(0);
    expect(byId.report.items.map((item: Item) => [item.status, item.result])).toEqual([
      ['unchanged', 'processed: final, nothing to re-apply'],
    ]);
    expect(await everything()).toEqual(settled);
    expect((await cli('reconcile', '--tenant', club.tenant.slug)).code).toBe(0);
  });

  it('webhooks:replay names what it needs', async () => {
    const neither = await runCli({ app: t, stripe }, 'webhooks:replay');
    expect(neither.code).toBe(1);
    expect(neither.err).toMatch(
      /Give either --event <id> or --outcome <failed\|unmatched\|needs_review>/,
    );
    const final = await runCli({ app: t, stripe }, 'webhooks:replay', '--outcome', 'processed');
    expect(final.code).toBe(1);
    expect(final.err).toMatch(/--outcome must be one of failed, unmatched, needs_review/);
    const unknown = await runCli({ app: t, stripe }, 'webhooks:replay', '--event', 'evt_nope');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/Stripe event evt_nope not found/);
  });

  it('--tenant applies only events for that club; events naming no club wait for a run without --tenant', async () => {
    const clubA = await factories(t.db).club();
    const clubB = await factories(t.db).club();
    const a = await mintedOrder(clubA);
    const b = await mintedOrder(clubB);
    // A link made by hand in the Stripe dashboard: its payment names no club.
    const price = await sdk().prices.create({
      currency: 'usd',
      unit_amount: 2_000,
      product_data: { name: 'Made by hand' },
    });
    const foreignLink = await sdk().paymentLinks.create({
      line_items: [{ price: price.id, quantity: 1 }],
    });
    endpointDown();
    const aSession = await stripe.pay(a.link.stripe_payment_link_id);
    const bSession = await stripe.pay(b.link.stripe_payment_link_id);
    const foreignSession = await stripe.pay(foreignLink.id);
    await stripe.waitForDeliveries();
    await endpointUp();

    const forA = await cli('reconcile', '--tenant', clubA.tenant.slug, '--commit');

    expect(forA.code).toBe(0);
    expect(itemsFor(forA.report, eventsOf(aSession)).map((item) => item.status)).toEqual([
      'done',
      'done',
    ]);
    expect(
      itemsFor(forA.report, eventsOf(bSession)).map((item) => [item.status, item.result]),
    ).toEqual([
      [
        'skipped',
        `for club ${clubB.tenant.slug}: run reconcile with --tenant ${clubB.tenant.slug}`,
      ],
      [
        'skipped',
        `for club ${clubB.tenant.slug}: run reconcile with --tenant ${clubB.tenant.slug}`,
      ],
    ]);
    expect(
      itemsFor(forA.report, eventsOf(foreignSession)).map((item) => [item.status, item.result]),
    ).toEqual([
      [
        'skipped',
        'names no club (unmatched: metadata has no Courtside tenant_id and order_id): run reconcile without --tenant',
      ],
      [
        'skipped',
        'names no club (unmatched: metadata has no Courtside tenant_id and order_id): run reconcile without --tenant',
      ],
    ]);
    expect(await orderOf(a.order.id)).toMatchObject({ status: 'paid' });
    expect(await orderOf(b.order.id)).toMatchObject({ status: 'pending' });
    expect(await inboxRows(eventsOf(bSession, foreignSession).map((e) => e.id))).toEqual([]);

    const all = await cli('reconcile', '--commit');

    expect(all.code).toBe(0);
    expect(itemsFor(all.report, eventsOf(aSession)).map((item) => item.status)).toEqual([
      'unchanged',
      'unchanged',
    ]);
    expect(itemsFor(all.report, eventsOf(bSession)).map((item) => item.status)).toEqual([
      'done',
      'done',
    ]);
    expect(
      itemsFor(all.report, eventsOf(foreignSession)).map((item) => [
        item.columns.club,
        item.status,
        item.result,
      ]),
    ).toEqual([
      [null, 'done', 'unmatched: metadata has no Courtside tenant_id and order_id'],
      [null, 'done', 'unmatched: metadata has no Courtside tenant_id and order_id'],
    ]);
    expect(await orderOf(b.order.id)).toMatchObject({ status: 'paid' });
    expect(await audits(b.order.id, 'order.paid')).toBe(1);
    expect(
      (await inboxRows(eventsOf(foreignSession).map((e) => e.id))).map((row) => [
        row.outcome,
        row.tenant_id,
      ]),
    ).toEqual([
      ['unmatched', null],
      ['unmatched', null],
    ]);
  });
});
