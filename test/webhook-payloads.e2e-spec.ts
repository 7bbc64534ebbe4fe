import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Order } from '../src/orders/entities/order.entity';
import type { CheckoutSession, StripeEmulator } from '../src/stripe-emulator';
import { ReconciliationService } from '../src/webhooks/services/reconciliation.service';
import { EventReplayService } from '../src/webhooks/services/event-replay.service';
import type { TestApp } from './support/app';
import { factories, TestClub } from './support/factories';
import { paidSessionOn } from './support/paid-session';
import { withStripeApp } from './support/stripe';
import {
  countOf,
  craftEvent,
  eventOf,
  holdDeliveries,
  postWebhook,
  signed,
} from './support/webhook-events';

const FIXTURES = path.join(__dirname, 'fixtures', 'stripe-events');

/** What each real payload comes to (see the folder's README for where each came from). */
const FIXTURE_OUTCOMES: Record<string, [outcome: string, note: string]> = {
  'account.updated.json': ['ignored', 'Courtside does not handle account.updated'],
  'account.updated.standard.json': ['ignored', 'Courtside does not handle account.updated'],
  'charge.dispute.created.json': ['unmatched', 'the dispute names no PaymentIntent'],
  'charge.refunded.json': ['unmatched', 'the charge has no PaymentIntent'],
  'charge.succeeded.json': ['ignored', 'Courtside does not handle charge.succeeded'],
  'checkout.session.completed.payment_mode.json': [
    'unmatched',
    'metadata has no Courtside tenant_id and order_id',
  ],
  'checkout.session.completed.setup_mode.json': ['ignored', 'payment_status no_payment_required'],
  'customer.created.json': ['ignored', 'Courtside does not handle customer.created'],
  'invoice.paid.json': ['ignored', 'Courtside does not handle invoice.paid'],
  'payment_intent.payment_failed.json': [
    'ignored',
    'Courtside does not handle payment_intent.payment_failed',
  ],
  'payment_intent.succeeded.json': [
    'unmatched',
    'metadata has no Courtside tenant_id and order_id',
  ],
  'setup_intent.created.json': ['ignored', 'Courtside does not handle setup_intent.created'],
};

/** A crafted event as plain JSON, which each case reshapes freely (into what is no event). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type EditableEvent = Record<string, any>;

interface MintedLink {
  id: number;
  stripe_payment_link_id: string;
}

interface InboxRow {
  type: string;
  outcome: string | null;
  note: string | null;
  tenant_id: number | null;
  attempts: number;
  payload: unknown;
}

describe('Stripe webhooks: every signed delivery is stored, whatever it holds', () => {
  let stripe: StripeEmulator;
  let t: TestApp;
  let club: TestClub;

  withStripeApp((made) => ({ stripe, t, club } = made));

  const post = (body: string) => postWebhook(t, body, signed(body));
  const inboxRow = async (id: string): Promise<InboxRow | undefined> =>
    (
      (await t.db.query(
        'SELECT type, outcome, error AS note, tenant_id, attempts, payload FROM stripe_events WHERE id = $1',
        [id],
      )) as InboxRow[]
    )[0];
  /** Where a delivery without a usable event id is kept: named by its bytes. */
  const keptAs = (body: string) => `evt_sha256_${createHash('sha256').update(body).digest('hex')}`;
  const credited = () =>
    countOf(
      t,
      `orders WHERE status <> 'pending' OR amount_paid_cents <> 0 OR paid_at IS NOT NULL OR disputed_at IS NOT NULL`,
    );

  async function owedOrder(): Promise<{ order: Order; link: MintedLink }> {
    const order = await factories(t.db).order(club.tenant.id);
    const link = (
      await t.as(club.apiKey).post(`/admin/orders/${order.id}/payment-link`).expect(201)
    ).body as MintedLink;
    return { order, link };
  }

  /** A `checkout.session.completed` that would pay the order, then changed by `change`. */
  async function paymentOf(link: MintedLink, change: (event: EditableEvent) => void) {
    const { body } = craftEvent(
      'checkout.session.completed',
      await paidSessionOn(stripe, link.stripe_payment_link_id),
    );
    const event = JSON.parse(body) as EditableEvent;
    change(event);
    return JSON.stringify(event, null, 2);
  }

  async function expectUntouched(order: Order) {
    expect(
      (await t.as(club.apiKey).get(`/admin/orders/${order.id}`).expect(200)).body,
    ).toMatchObject({
      status: 'pending',
      amount_paid_cents: 0,
      paid_at: null,
      stripe_payment_intent_id: null,
    });
    expect(
      await countOf(t, `audit_log WHERE subject = $1 AND actor = 'stripe:webhook'`, [
        `order:${order.id}`,
      ]),
    ).toBe(0);
  }

  it('real Stripe payloads of charges, invoices, payment intents, disputes, accounts, customers and sessions are each answered 2xx, stored with an outcome and a note, and credit nobody (W12)', async () => {
    const files = readdirSync(FIXTURES).filter((file) => file.endsWith('.json'));
    expect(files.sort()).toEqual(Object.keys(FIXTURE_OUTCOMES).sort());
    const { order } = await owedOrder();
    const creditedBefore = await credited();

    for (const file of files) {
      const event = JSON.parse(readFileSync(path.join(FIXTURES, file), 'utf8')) as {
        id: string;
        type: string;
      };
      event.id = `evt_fixture_${randomBytes(8).toString('hex')}`;
      const body = JSON.stringify(event, null, 2);
      const [outcome, note] = FIXTURE_OUTCOMES[file];

      const res = await post(body);

      expect([file, res.status, res.body]).toEqual([file, 200, { received: true, outcome }]);
      expect(await inboxRow(event.id)).toMatchObject({
        type: event.type,
        outcome,
        note: expect.stringContaining(note),
        tenant_id: null,
        attempts: 1,
      });
    }
    expect(await credited()).toBe(creditedBefore);
    await expectUntouched(order);
  });

  describe('an event whose data cannot be read is kept for review (W12)', () => {
    it.each<[string, (event: EditableEvent) => void]>([
      ['no data', (event) => delete event.data],
      ['data: null', (event) => (event.data = null)],
      ['data.object: null', (event) => (event.data.object = null)],
      ['data.object a string', (event) => (event.data.object = 'cs_test_123')],
      ['data.object a list', (event) => (event.data.object = [event.data.object])],
    ])('%s: 2xx, needs_review with a note, nobody credited', async (_case, change) => {
      const { order, link } = await owedOrder();
      const body = await paymentOf(link, change);
      const { id } = JSON.parse(body) as { id: string };

      await post(body).expect(200, { received: true, outcome: 'needs_review' });

      expect(await inboxRow(id)).toMatchObject({
        type: 'checkout.session.completed',
        outcome: 'needs_review',
        note: expect.stringContaining('data'),
      });
      await expectUntouched(order);
    });
  });

  describe('a NUL character (\\u0000) anywhere is stored, never refused by the database (W12)', () => {
    it('in the metadata order_id: unmatched, the order untouched', async () => {
      const { order, link } = await owedOrder();
      const body = await paymentOf(
        link,
        (event) => (event.data.object.metadata.order_id = `${order.id}\u0000`),
      );
      const { id } = JSON.parse(body) as { id: string };
      expect(body).toContain('\\u0000');

      await post(body).expect(200, { received: true, outcome: 'unmatched' });
      await post(body).expect(200, { received: true, outcome: 'duplicate' });

      const row = await inboxRow(id);
      expect(row).toMatchObject({
        outcome: 'unmatched',
        note: expect.stringContaining('is not a Courtside id'),
        attempts: 2,
      });
      expect(JSON.stringify(row!.payload)).toContain(`"order_id":"${order.id}\uFFFD"`);
      await expectUntouched(order);
    });

    it('in a metadata key: unmatched, the order untouched', async () => {
      const { order, link } = await owedOrder();
      const body = await paymentOf(link, (event) => {
        const metadata = event.data.object.metadata as Record<string, string>;
        metadata['order_id\u0000'] = metadata.order_id;
        delete metadata.order_id;
      });
      const { id } = JSON.parse(body) as { id: string };

      await post(body).expect(200, { received: true, outcome: 'unmatched' });

      expect(await inboxRow(id)).toMatchObject({
        outcome: 'unmatched',
        note: 'metadata has no Courtside tenant_id and order_id',
      });
      await expectUntouched(order);
    });

    it('in the event id: kept under the SHA-256 of its bytes, for review; a retry is a duplicate', async () => {
      const { order, link } = await owedOrder();
      const body = await paymentOf(link, (event) => (event.id = `evt_\u0000${event.id}`));

      await post(body).expect(200, { received: true, outcome: 'needs_review' });
      await post(body).expect(200, { received: true, outcome: 'duplicate' });

      expect(await inboxRow(keptAs(body))).toMatchObject({
        type: 'checkout.session.completed',
        outcome: 'needs_review',
        note: expect.stringContaining('id'),
        attempts: 2,
      });
      await expectUntouched(order);
    });

    it('in the event type: an unhandled type, ignored with a note', async () => {
      const { order, link } = await owedOrder();
      const body = await paymentOf(
        link,
        (event) => (event.type = 'checkout.session.com\u0000pleted'),
      );
      const { id } = JSON.parse(body) as { id: string };

      await post(body).expect(200, { received: true, outcome: 'ignored' });

      expect(await inboxRow(id)).toMatchObject({
        type: 'checkout.session.com\uFFFDpleted',
        outcome: 'ignored',
        note: 'Courtside does not handle checkout.session.com\uFFFDpleted',
      });
      await expectUntouched(order);
    });

    it('in a field Courtside does not read, of a real payment: the order is paid once', async () => {
      const { order, link } = await owedOrder();
      const held = await holdDeliveries(stripe, t);
      const session: CheckoutSession = await stripe.pay(link.stripe_payment_link_id);
      await held.release();
      const completed = eventOf(stripe, session.id, 'checkout.session.completed');
      const withNul = structuredClone(completed) as unknown as EditableEvent;
      withNul.data.object.customer_details = {
        ...withNul.data.object.customer_details,
        name: 'Ana\u0000 Chen',
      };
      const body = JSON.stringify(withNul, null, 2);

      await post(body).expect(200, { received: true, outcome: 'processed' });

      expect(
        (await t.as(club.apiKey).get(`/admin/orders/${order.id}`).expect(200)).body,
      ).toMatchObject({ status: 'paid', amount_paid_cents: order.amountCents });
      const row = await inboxRow(completed.id);
      expect(JSON.stringify(row!.payload)).toContain('Ana\uFFFD Chen');
      expect(
        await countOf(t, `audit_log WHERE subject = $1 AND action = 'order.paid'`, [
          `order:${order.id}`,
        ]),
      ).toBe(1);
    });
  });

  describe('Courtside ids beyond the PostgreSQL integer range are unmatched, not refused (W12)', () => {
    it.each<[string, string]>([
      ['order_id', '99999999999'],
      ['order_id', '2147483648'],
      ['tenant_id', '9999999999'],
    ])('metadata %s "%s": 2xx, unmatched with a note, nobody credited', async (key, value) => {
      const { order, link } = await owedOrder();
      const body = await paymentOf(link, (event) => (event.data.object.metadata[key] = value));
      const { id } = JSON.parse(body) as { id: string };

      await post(body).expect(200, { received: true, outcome: 'unmatched' });

      expect(await inboxRow(id)).toMatchObject({
        outcome: 'unmatched',
        note: `metadata ${key} "${value}" is not a Courtside id`,
        tenant_id: null,
      });
      await expectUntouched(order);
    });

    it('a refund of more cents than an order can hold is kept for review, the paid order untouched', async () => {
      const { order, link } = await owedOrder();
      const session = await stripe.pay(link.stripe_payment_link_id);
      await stripe.waitForDeliveries();
      const { id, body } = craftEvent('charge.refunded', {
        id: `ch_crafted_${randomBytes(6).toString('hex')}`,
        object: 'charge',
        amount: order.amountCents,
        amount_refunded: 2_147_483_648,
        currency: 'usd',
        payment_intent: session.payment_intent,
        metadata: {},
      });

      await post(body).expect(200, { received: true, outcome: 'needs_review' });

      expect(await inboxRow(id)).toMatchObject({
        outcome: 'needs_review',
        note: expect.stringContaining('amount_refunded'),
      });
      expect(
        (await t.as(club.apiKey).get(`/admin/orders/${order.id}`).expect(200)).body,
      ).toMatchObject({ status: 'paid', amount_refunded_cents: 0 });
    });
  });

  describe('fields Courtside reads with the wrong type or shape are kept for review (W12)', () => {
    it.each<[string, string, (event: EditableEvent) => void]>([
      ['amount_total as a string', 'amount_total', (e) => (e.data.object.amount_total = '4200')],
      ['amount_total with a fraction', 'amount_total', (e) => (e.data.object.amount_total = 42.5)],
      ['metadata as a string', 'metadata', (e) => (e.data.object.metadata = 'order_id=1')],
      [
        'metadata values as numbers',
        'metadata',
        (e) => {
          const metadata = e.data.object.metadata as Record<string, string>;
          e.data.object.metadata = Object.fromEntries(
            Object.entries(metadata).map(([k, v]) => [k, Number(v)]),
          );
        },
      ],
      ['payment_intent as a number', 'payment_intent', (e) => (e.data.object.payment_intent = 7)],
      ['livemode as a string', 'livemode', (e) => (e.livemode = 'false')],
      ['created as a date string', 'created', (e) => (e.created = 'yesterday')],
      [
        'an object of another kind',
        'payment_status',
        (e) => (e.data.object = { id: 'in_crafted', object: 'invoice', amount_due: 100 }),
      ],
    ])('%s: 2xx, needs_review naming the field, nobody credited', async (_case, field, change) => {
      const { order, link } = await owedOrder();
      const body = await paymentOf(link, change);
      const { id } = JSON.parse(body) as { id: string };

      await post(body).expect(200, { received: true, outcome: 'needs_review' });

      expect(await inboxRow(id)).toMatchObject({
        outcome: 'needs_review',
        note: expect.stringContaining(field),
      });
      await expectUntouched(order);
    });

    it('stored events with an unreadable created are replayed like any other (webhooks:replay)', async () => {
      const { order, link } = await owedOrder();
      const body = await paymentOf(link, (event) => (event.created = 'yesterday'));
      const { id } = JSON.parse(body) as { id: string };
      await post(body).expect(200);

      const steps = await t.app.get(ReconciliationService).replay({ outcome: 'needs_review' });
      const results: [unknown, string][] = [];
      for (const step of steps) results.push([step.columns.event, (await step.run(false)).result]);
      expect(results).toContainEqual([id, expect.stringContaining('still needs_review')]);
      await expectUntouched(order);
    });
  });

  describe('a body that is not a Stripe event object is kept as it came, for review (W12)', () => {
    it.each<[string, string]>([
      ['a JSON list', '[{"id": "evt_in_a_list", "type": "checkout.session.completed"}]'],
      ['a JSON string', '"checkout.session.completed"'],
      ['a JSON number', '42'],
      ['JSON null', 'null'],
      ['not JSON at all', 'checkout.session.completed for order 1'],
      ['JSON cut short', '{"id": "evt_cut", "type": "checkout.sess'],
      ['JSON nested deeper than any event', `${'['.repeat(5000)}${']'.repeat(5000)}`],
      ['an object without an id', '{"type": "checkout.session.completed", "data": {}}'],
    ])(
      '%s: 2xx, stored under the SHA-256 of its bytes; a retry is a duplicate',
      async (_case, body) => {
        const creditedBefore = await credited();

        await post(body).expect(200, { received: true, outcome: 'needs_review' });
        await post(body).expect(200, { received: true, outcome: 'duplicate' });

        expect(await inboxRow(keptAs(body))).toMatchObject({
          outcome: 'needs_review',
          note: expect.stringMatching(/not a Stripe event|cannot read id/),
          attempts: 2,
        });
        expect(await credited()).toBe(creditedBefore);
      },
    );

    it('whatever content type the delivery claims', async () => {
      const body = '{"id": "evt_sent_as_text", "type": "checkout.session.completed"}';
      await postWebhook(t, body, signed(body))
        .set('Content-Type', 'text/plain; charset=latin1')
        .expect(200, { received: true, outcome: 'needs_review' });
      expect(await inboxRow('evt_sent_as_text')).toMatchObject({ outcome: 'needs_review' });
    });
  });

  it('a database refusal of an event the checks let through is kept for review, not retried for days; the event applies once replayed (W12)', async () => {
    const { order, link } = await owedOrder();
    const fault = `refuse_audit_${randomBytes(4).toString('hex')}`;
    await t.db.query(
      `CREATE FUNCTION ${fault}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'value out of range for the audit log' USING ERRCODE = '22003'; END $$`,
    );
    await t.db.query(
      `CREATE TRIGGER ${fault} BEFORE INSERT ON audit_log FOR EACH ROW
       WHEN (NEW.subject = 'order:${order.id}') EXECUTE FUNCTION ${fault}()`,
    );
    const body = await paymentOf(link, () => undefined);
    const { id } = JSON.parse(body) as { id: string };
    try {
      await post(body).expect(200, { received: true, outcome: 'needs_review' });
      await post(body).expect(200, { received: true, outcome: 'duplicate' });
    } finally {
      await t.db.query(`DROP TRIGGER ${fault} ON audit_log`);
      await t.db.query(`DROP FUNCTION ${fault}()`);
    }

    expect(await inboxRow(id)).toMatchObject({
      outcome: 'needs_review',
      note: expect.stringContaining('value out of range for the audit log'),
      attempts: 2,
    });
    await expectUntouched(order);

    const replayed = await t.app.get(EventReplayService).reapply(id);
    expect(replayed.decision).toMatchObject({ outcome: 'processed' });
    expect(
      (await t.as(club.apiKey).get(`/admin/orders/${order.id}`).expect(200)).body,
    ).toMatchObject({ status: 'paid', amount_paid_cents: order.amountCents });
  });
});
