import { randomBytes } from 'node:crypto';
import type { CheckoutSession, StripeEmulator } from '../src/stripe-emulator';
import { signStripePayload } from '../src/stripe-emulator';
import { sdkClient } from '../src/stripe-emulator/testing/sdk-client';
import type { Order } from '../src/orders/entities/order.entity';
import { TEST_WEBHOOK_SECRET } from './support/webhook-secret';
import { createTestApp, TestApp } from './support/app';
import { eventually } from './support/eventually';
import { factories, TestClub } from './support/factories';
import { paidSessionOn } from './support/paid-session';
import { withStripeApp } from './support/stripe';
import {
  countOf,
  craftEvent,
  deliverInOrder,
  eventOf,
  eventsAbout,
  holdDeliveries,
  payloadOf,
  postWebhook,
  signed,
} from './support/webhook-events';

interface MintedLink {
  id: number;
  stripe_payment_link_id: string;
  url: string;
}

describe('Stripe webhooks: every event applied exactly once', () => {
  let stripe: StripeEmulator;
  let t: TestApp;
  let club: TestClub;

  // The 500s the database-fault test provokes would otherwise print their stack traces.
  withStripeApp((made) => ({ stripe, t, club } = made), { env: { LOG_LEVEL: 'fatal' } });

  async function mintedOrder(
    owner: TestClub = club,
    overrides: Partial<Order> = {},
  ): Promise<{ order: Order; link: MintedLink }> {
    const order = await factories(t.db).order(owner.tenant.id, overrides);
    const link = (
      await t.as(owner.apiKey).post(`/admin/orders/${order.id}/payment-link`).expect(201)
    ).body as MintedLink;
    return { order, link };
  }
  const orderOf = async (id: number, owner: TestClub = club) =>
    (await t.as(owner.apiKey).get(`/admin/orders/${id}`).expect(200)).body;
  const audits = (orderId: number, action: string) =>
    countOf(t, 'audit_log WHERE subject = $1 AND action = $2', [`order:${orderId}`, action]);
  const inboxRow = async (eventId: string) =>
    (
      (await t.db.query(
        'SELECT outcome, attempts, tenant_id, error FROM stripe_events WHERE id = $1',
        [eventId],
      )) as { outcome: string; attempts: number; tenant_id: number | null; error: string | null }[]
    )[0];
  const linkRow = async (id: number) =>
    (
      (await t.db.query('SELECT status, paid_at, deactivated_at FROM payment_links WHERE id = $1', [
        id,
      ])) as { status: string; paid_at: Date | null; deactivated_at: Date | null }[]
    )[0];
  const deactivationJobs = (stripeLinkId: string) =>
    countOf(
      t,
      `pgboss.job WHERE name = 'payment-link.deactivate' AND data ->> 'stripePaymentLinkId' = $1`,
      [stripeLinkId],
    );

  // W1
  it('the same checkout.session.completed delivered twice is answered 2xx both times and applied once', async () => {
    const { order, link } = await mintedOrder();
    const session = await stripe.pay(link.stripe_payment_link_id);
    await stripe.waitForDeliveries();
    const completed = eventOf(stripe, session.id, 'checkout.session.completed');

    expect(await stripe.redeliver(completed.id)).toBe(200);
    const bytes = payloadOf(completed);
    const third = await postWebhook(t, bytes, signed(bytes)).expect(200);

    expect(third.body).toEqual({ received: true, outcome: 'duplicate' });
    expect(
      stripe.deliveries.filter((d) => d.eventId === completed.id).map((d) => d.status),
    ).toEqual([200, 200]);
    expect(await countOf(t, 'stripe_events WHERE id = $1', [completed.id])).toBe(1);
    expect(await inboxRow(completed.id)).toMatchObject({
      outcome: 'processed',
      attempts: 3,
      tenant_id: club.tenant.id,
    });
    expect(await orderOf(order.id)).toMatchObject({
      status: 'paid',
      amount_paid_cents: order.amountCents,
      stripe_payment_intent_id: session.payment_intent,
    });
    expect(await audits(order.id, 'order.paid')).toBe(1);
    expect(await deactivationJobs(link.stripe_payment_link_id)).toBe(1);
  });

  // W2, W13: rounds on the warm app and pool, so that the deliveries of one event meet in the
  // database (a first burst on a cold pool queues behind connecting and does not).
  it('twenty concurrent deliveries of one event, in five rounds of a fresh payment each on a warm app, all answer 200 and pay each order exactly once (W2, W13)', async () => {
    for (let round = 1; round <= 5; round++) {
      const { order, link } = await mintedOrder();
      const held = await holdDeliveries(stripe, t);
      const session = await stripe.pay(link.stripe_payment_link_id);
      await held.release();
      const completed = eventOf(stripe, session.id, 'checkout.session.completed');

      const statuses = await Promise.all(
        Array.from({ length: 20 }, () => stripe.redeliver(completed.id)),
      );

      expect({ round, statuses }).toEqual({ round, statuses: Array(20).fill(200) });
      expect(await inboxRow(completed.id)).toMatchObject({ outcome: 'processed', attempts: 20 });
      expect(await orderOf(order.id)).toMatchObject({
        status: 'paid',
        amount_paid_cents: order.amountCents,
      });
      expect(await audits(order.id, 'order.paid')).toBe(1);
      expect(await deactivationJobs(link.stripe_payment_link_id)).toBe(1);
    }
  });

  // W3 (card)
  it('completed and payment_intent.succeeded of one card payment, each delivered twice in any order, pay the order once', async () => {
    const { order, link } = await mintedOrder();
    const held = await holdDeliveries(stripe, t);
    const session = await stripe.pay(link.stripe_payment_link_id);
    await held.release();
    const completed = eventOf(stripe, session.id, 'checkout.session.completed');
    const succeeded = eventOf(stripe, session.payment_intent!, 'payment_intent.succeeded');

    expect(await deliverInOrder(stripe, [succeeded, completed, completed, succeeded])).toEqual([
      200, 200, 200, 200,
    ]);

    expect(await orderOf(order.id)).toMatchObject({
      status: 'paid',
      amount_paid_cents: order.amountCents,
      stripe_payment_intent_id: session.payment_intent,
    });
    expect(await audits(order.id, 'order.paid')).toBe(1);
    expect(await inboxRow(completed.id)).toMatchObject({ attempts: 2 });
    expect(await inboxRow(succeeded.id)).toMatchObject({ attempts: 2 });
  });

  // W3 (bank debit)
  it('completed (unpaid), payment_intent.succeeded and async_payment_succeeded of one bank debit pay the order once', async () => {
    const { order, link } = await mintedOrder();
    const session = await stripe.pay(link.stripe_payment_link_id, { method: 'bank_debit' });
    await stripe.waitForDeliveries();
    await stripe.settleBankDebit(session.id, 'succeeded');
    await stripe.waitForDeliveries();
    expect(await orderOf(order.id)).toMatchObject({
      status: 'paid',
      amount_paid_cents: order.amountCents,
    });

    const all = eventsAbout(stripe, session.id).concat(
      eventsAbout(stripe, session.payment_intent!).filter((e) => e.type.startsWith('payment_')),
    );
    expect(all.map((e) => e.type).sort()).toEqual([
      'checkout.session.async_payment_succeeded',
      'checkout.session.completed',
      'payment_intent.succeeded',
    ]);
    expect(await deliverInOrder(stripe, [...all].reverse())).toEqual([200, 200, 200]);

    expect(await orderOf(order.id)).toMatchObject({
      status: 'paid',
      amount_paid_cents: order.amountCents,
    });
    expect(await audits(order.id, 'order.paid')).toBe(1);
    expect(await audits(order.id, 'order.processing')).toBe(1);
  });

  // W5
  describe('signatures, checked over the raw bytes by the real app', () => {
    let order: Order;
    let completedBytes: string;
    let amount: number;

    beforeAll(async () => {
      const minted = await mintedOrder();
      order = minted.order;
      amount = order.amountCents;
      const held = await holdDeliveries(stripe, t);
      const session = await stripe.pay(minted.link.stripe_payment_link_id);
      await held.release();
      completedBytes = payloadOf(eventOf(stripe, session.id, 'checkout.session.completed'));
    });

    const now = () => Math.floor(Date.now() / 1000);
    it.each<[string, () => { body: string; signature?: string }]>([
      [
        'a body changed by one byte',
        () => ({
          body: completedBytes.replace(
            `"amount_total": ${amount}`,
            `"amount_total": ${amount + 1}`,
          ),
          signature: signed(completedBytes),
        }),
      ],
      ['a delivery without a Stripe-Signature header', () => ({ body: completedBytes })],
      [
        'a timestamp older than the 300 s tolerance',
        () => ({ body: completedBytes, signature: signed(completedBytes, now() - 360) }),
      ],
      [
        'a signature made with another secret',
        () => ({
          body: completedBytes,
          signature: signStripePayload(completedBytes, 'whsec_someone_elses_endpoint'),
        }),
      ],
      [
        'the same JSON re-serialised instead of the signed bytes',
        () => ({
          body: JSON.stringify(JSON.parse(completedBytes)),
          signature: signed(completedBytes),
        }),
      ],
      ['a malformed header', () => ({ body: completedBytes, signature: 'v1=,t=yesterday' })],
    ])('refuses %s with 400 and writes nothing', async (_case, make) => {
      const { body, signature } = make();
      const before = await countOf(t, 'stripe_events');

      const res = await postWebhook(t, body, signature).expect(400);

      expect(res.body).toMatchObject({ statusCode: 400, error: 'validation_failed' });
      expect(await countOf(t, 'stripe_events')).toBe(before);
      expect(await orderOf(order.id)).toMatchObject({ status: 'pending', amount_paid_cents: 0 });
      expect(await audits(order.id, 'order.paid')).toBe(0);
    });

    it('the tampered body differs from the signed bytes in exactly one byte', () => {
      const changed = completedBytes.replace(
        `"amount_total": ${amount}`,
        `"amount_total": ${amount + 1}`,
      );
      const differing = [...completedBytes].filter((char, i) => changed[i] !== char);
      expect(changed).toHaveLength(completedBytes.length);
      expect(differing).toHaveLength(1);
    });

    it('accepts a header with two v1 signatures of which one matches (secret rotation)', async () => {
      const header = signStripePayload(completedBytes, [
        'whsec_retired_secret',
        TEST_WEBHOOK_SECRET,
      ]);
      expect(header.match(/v1=/g)).toHaveLength(2);

      const res = await postWebhook(t, completedBytes, header).expect(200);

      expect(res.body).toEqual({ received: true, outcome: 'processed' });
      expect(await orderOf(order.id)).toMatchObject({ status: 'paid', amount_paid_cents: amount });
    });
  });

  it('an app configured with two webhook secrets (rotation) accepts events signed with either, and no other', async () => {
    const rotating = await createTestApp({
      env: { STRIPE_WEBHOOK_SECRET: 'whsec_old_endpoint_secret,whsec_new_endpoint_secret' },
    });
    try {
      const post = (secret: string) => {
        const { body } = craftEvent('customer.created', { id: 'cus_rotation', object: 'customer' });
        return postWebhook(rotating, body, signStripePayload(body, secret));
      };
      await post('whsec_old_endpoint_secret').expect(200);
      await post('whsec_new_endpoint_secret').expect(200);
      await post(TEST_WEBHOOK_SECRET).expect(400);
      const [{ count }] = await rotating.db.query(
        'SELECT count(*)::int AS count FROM stripe_events',
      );
      expect(count).toBe(2);
    } finally {
      await rotating.close();
    }
  });

  // W6
  it('a database failure while applying an event answers 500 and rolls everything back; redelivery then applies it once', async () => {
    const { order, link } = await mintedOrder();
    const fault = `fail_audit_${randomBytes(4).toString('hex')}`;
    await t.db.query(
      `CREATE FUNCTION ${fault}() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'injected failure while writing the audit log'; END $$`,
    );
    await t.db.query(
      `CREATE TRIGGER ${fault} BEFORE INSERT ON audit_log FOR EACH ROW
       WHEN (NEW.subject = 'order:${order.id}' AND NEW.action = 'order.paid')
       EXECUTE FUNCTION ${fault}()`,
    );
    let session: CheckoutSession;
    try {
      session = await stripe.pay(link.stripe_payment_link_id);
      await stripe.waitForDeliveries();
    } finally {
      await t.db.query(`DROP TRIGGER ${fault} ON audit_log`);
      await t.db.query(`DROP FUNCTION ${fault}()`);
    }
    const completed = eventOf(stripe, session.id, 'checkout.session.completed');

    // Stripe saw only server errors for the event that pays the order, and retried it.
    const attempts = stripe.deliveries.filter((d) => d.eventId === completed.id);
    expect(attempts.length).toBeGreaterThan(1);
    expect(attempts.every((d) => d.status === 500)).toBe(true);
    // Nothing of the failed transaction remains: no inbox row, no transition, no job.
    expect(await countOf(t, 'stripe_events WHERE id = $1', [completed.id])).toBe(0);
    expect(await orderOf(order.id)).toMatchObject({
      status: 'pending',
      amount_paid_cents: 0,
      stripe_payment_intent_id: null,
      paid_at: null,
    });
    expect(await linkRow(link.id)).toMatchObject({ status: 'active', paid_at: null });
    expect(await deactivationJobs(link.stripe_payment_link_id)).toBe(0);

    const succeeded = eventOf(stripe, session.payment_intent!, 'payment_intent.succeeded');
    expect(await deliverInOrder(stripe, [completed, succeeded, completed])).toEqual([
      200, 200, 200,
    ]);

    expect(await inboxRow(completed.id)).toMatchObject({ outcome: 'processed', attempts: 2 });
    expect(await orderOf(order.id)).toMatchObject({
      status: 'paid',
      amount_paid_cents: order.amountCents,
    });
    expect(await audits(order.id, 'order.paid')).toBe(1);
    expect(await linkRow(link.id)).toMatchObject({ status: 'paid' });
    expect(await deactivationJobs(link.stripe_payment_link_id)).toBe(1);
  });

  // W7
  describe('follow-ups that call Stripe run from the job queue', () => {
    const deactivations = (stripeLinkId: string) =>
      stripe.requests.filter(
        (r) => r.method === 'POST' && r.path === `/v1/payment_links/${stripeLinkId}`,
      );

    it('answers the webhook and pays the order while the link deactivation at Stripe hangs; the deactivation then runs once', async () => {
      const { order, link } = await mintedOrder();
      stripe.injectFault({
        method: 'POST',
        path: `/v1/payment_links/${link.stripe_payment_link_id}`,
        kind: 'latency',
        latencyMs: 4000,
      });
      const session = await stripe.pay(link.stripe_payment_link_id);
      await stripe.waitForDeliveries();

      const completed = eventOf(stripe, session.id, 'checkout.session.completed');
      expect(
        stripe.deliveries.filter((d) => d.eventId === completed.id).map((d) => d.status),
      ).toEqual([200]);
      expect(await orderOf(order.id)).toMatchObject({ status: 'paid' });
      // Answered before the follow-up finished: Stripe is still holding it (or it has not started).
      expect(deactivations(link.stripe_payment_link_id).filter((r) => r.status !== 0)).toEqual([]);
      expect((await linkRow(link.id)).deactivated_at).toBeNull();

      await eventually(async () => {
        expect((await linkRow(link.id)).deactivated_at).not.toBeNull();
      }, 20_000);
      expect(
        deactivations(link.stripe_payment_link_id).map((r) => [
          r.status,
          r.params.active,
          r.idempotencyKey,
        ]),
      ).toEqual([[200, 'false', `deactivate:${link.stripe_payment_link_id}`]]);
    });

    it('when Stripe fails the deactivation, the webhook still answers 200 and the job deactivates the link once Stripe recovers', async () => {
      const { order, link } = await mintedOrder();
      // Three 500s in a row: the job's call backs off and tries again until Stripe answers.
      stripe.injectFault({
        method: 'POST',
        path: `/v1/payment_links/${link.stripe_payment_link_id}`,
        kind: '500',
        times: 3,
      });
      const session = await stripe.pay(link.stripe_payment_link_id);
      await stripe.waitForDeliveries();

      const completed = eventOf(stripe, session.id, 'checkout.session.completed');
      expect(
        stripe.deliveries.filter((d) => d.eventId === completed.id).map((d) => d.status),
      ).toEqual([200]);
      expect(await orderOf(order.id)).toMatchObject({ status: 'paid' });
      expect(await linkRow(link.id)).toMatchObject({ status: 'paid', deactivated_at: null });

      await eventually(async () => {
        expect((await linkRow(link.id)).deactivated_at).not.toBeNull();
      }, 30_000);
      const calls = deactivations(link.stripe_payment_link_id);
      expect(calls.map((r) => r.status)).toEqual([500, 500, 500, 200]);
      expect(new Set(calls.map((r) => r.idempotencyKey))).toEqual(
        new Set([`deactivate:${link.stripe_payment_link_id}`]),
      );
      const atStripe = await sdkClient(stripe).paymentLinks.retrieve(link.stripe_payment_link_id);
      expect(atStripe.active).toBe(false);
    });
  });

  // W10
  describe('events that credit nobody', () => {
    let clubA: TestClub;
    let clubB: TestClub;
    let a: { order: Order; link: MintedLink };
    let b: { order: Order; link: MintedLink };

    beforeAll(async () => {
      clubA = await factories(t.db).club();
      clubB = await factories(t.db).club();
      a = await mintedOrder(clubA);
      b = await mintedOrder(clubB);
    });

    const metadataOf = (order: Order) => ({
      tenant_id: String(order.tenantId),
      order_id: String(order.id),
      player_id: String(order.playerId),
      product_id: String(order.productId),
    });
    const paidSession = (link: MintedLink, changes: Partial<CheckoutSession>) =>
      paidSessionOn(stripe, link.stripe_payment_link_id, changes);
    const listed = async (owner: TestClub, outcome: string) =>
      (
        (
          await t
            .as(owner.apiKey)
            .get(`/admin/webhook-events?outcome=${outcome}&limit=100`)
            .expect(200)
        ).body.data as { id: string; outcome: string; note: string | null }[]
      ).map((event) => ({ id: event.id, note: event.note }));

    it('unknown link, missing or foreign metadata, wrong livemode, unhandled type, other amount or currency: 2xx, kept with a note, nobody credited, listed for the right club only', async () => {
      // A link Courtside did not mint that still carries club A's order ids (made by hand in
      // the Stripe dashboard, say), paid through Stripe: both of its events reach the app.
      const sdk = sdkClient(stripe);
      const price = await sdk.prices.create({
        currency: 'usd',
        unit_amount: a.order.amountCents,
        product_data: { name: 'Made by hand' },
      });
      const foreignLink = await sdk.paymentLinks.create({
        line_items: [{ price: price.id, quantity: 1 }],
        metadata: metadataOf(a.order),
        payment_intent_data: { metadata: metadataOf(a.order) },
      });
      const foreignPayment = await stripe.pay(foreignLink.id);
      await stripe.waitForDeliveries();
      const foreignCompleted = eventOf(stripe, foreignPayment.id, 'checkout.session.completed');
      const foreignIntent = eventOf(
        stripe,
        foreignPayment.payment_intent!,
        'payment_intent.succeeded',
      );

      const cases = {
        missingMetadata: craftEvent(
          'checkout.session.completed',
          await paidSession(a.link, { metadata: {} }),
        ),
        anotherClubsOrder: craftEvent(
          'checkout.session.completed',
          await paidSession(b.link, {
            metadata: { ...metadataOf(b.order), tenant_id: String(clubA.tenant.id) },
          }),
        ),
        anotherClubsTenant: craftEvent(
          'checkout.session.completed',
          await paidSession(a.link, {
            metadata: { ...metadataOf(a.order), tenant_id: String(clubB.tenant.id) },
          }),
        ),
        anotherPlayer: craftEvent(
          'checkout.session.completed',
          await paidSession(a.link, {
            metadata: { ...metadataOf(a.order), player_id: String(b.order.playerId) },
          }),
        ),
        liveMode: craftEvent(
          'checkout.session.completed',
          { ...(await paidSession(a.link, {})), livemode: true },
          { livemode: true },
        ),
        unhandledType: craftEvent('invoice.paid', { id: 'in_crafted', object: 'invoice' }),
        otherAmount: craftEvent(
          'checkout.session.completed',
          await paidSession(a.link, {
            amount_total: a.order.amountCents - 1,
            amount_subtotal: a.order.amountCents - 1,
          }),
        ),
        otherCurrency: craftEvent(
          'checkout.session.completed',
          await paidSession(a.link, { currency: 'eur' }),
        ),
        otherAmountOfB: craftEvent(
          'checkout.session.completed',
          await paidSession(b.link, { amount_total: b.order.amountCents * 2 }),
        ),
      };
      for (const { body } of Object.values(cases))
        await postWebhook(t, body, signed(body)).expect(200);

      const row = (id: string) => inboxRow(id);
      expect(await row(foreignCompleted.id)).toMatchObject({
        outcome: 'unmatched',
        tenant_id: clubA.tenant.id,
        error: expect.stringContaining(
          `payment link ${foreignLink.id} is not one Courtside minted`,
        ),
      });
      expect(await row(foreignIntent.id)).toMatchObject({
        outcome: 'ignored',
        error: expect.stringContaining('applied from its Checkout Session event'),
      });
      expect(await row(cases.missingMetadata.id)).toMatchObject({
        outcome: 'unmatched',
        tenant_id: null,
        error: expect.stringContaining('metadata has no Courtside tenant_id and order_id'),
      });
      expect(await row(cases.anotherClubsOrder.id)).toMatchObject({
        outcome: 'unmatched',
        tenant_id: null,
        error: `club ${clubA.tenant.id} has no order ${b.order.id}`,
      });
      expect(await row(cases.anotherClubsTenant.id)).toMatchObject({
        outcome: 'unmatched',
        tenant_id: null,
        error: `club ${clubB.tenant.id} has no order ${a.order.id}`,
      });
      expect(await row(cases.anotherPlayer.id)).toMatchObject({
        outcome: 'unmatched',
        tenant_id: clubA.tenant.id,
        error: expect.stringContaining('different player or product'),
      });
      expect(await row(cases.liveMode.id)).toMatchObject({
        outcome: 'needs_review',
        error: expect.stringContaining('live-mode event reached a test-mode Courtside'),
      });
      expect(await row(cases.unhandledType.id)).toMatchObject({
        outcome: 'ignored',
        error: 'Courtside does not handle invoice.paid',
      });
      expect(await row(cases.otherAmount.id)).toMatchObject({
        outcome: 'needs_review',
        tenant_id: clubA.tenant.id,
        error: `paid ${a.order.amountCents - 1} usd for order ${a.order.id} of ${a.order.amountCents} usd`,
      });
      expect(await row(cases.otherCurrency.id)).toMatchObject({
        outcome: 'needs_review',
        tenant_id: clubA.tenant.id,
        error: expect.stringContaining(`paid ${a.order.amountCents} eur`),
      });
      expect(await row(cases.otherAmountOfB.id)).toMatchObject({
        outcome: 'needs_review',
        tenant_id: clubB.tenant.id,
      });

      // Nobody was credited.
      for (const [owner, { order, link }] of [
        [clubA, a],
        [clubB, b],
      ] as const) {
        expect(await orderOf(order.id, owner)).toMatchObject({
          status: 'pending',
          amount_paid_cents: 0,
          stripe_payment_intent_id: null,
          paid_at: null,
        });
        expect(await audits(order.id, 'order.paid')).toBe(0);
        expect(await linkRow(link.id)).toMatchObject({ status: 'active' });
      }

      // Each club sees what names its own orders, and nothing of the other club's.
      const unmatchedA = await listed(clubA, 'unmatched');
      const reviewA = await listed(clubA, 'needs_review');
      const unmatchedB = await listed(clubB, 'unmatched');
      const reviewB = await listed(clubB, 'needs_review');
      expect(unmatchedA.map((e) => e.id).sort()).toEqual(
        [foreignCompleted.id, cases.anotherPlayer.id].sort(),
      );
      expect(unmatchedA.every((e) => e.note)).toBe(true);
      expect(reviewA.map((e) => e.id).sort()).toEqual(
        [cases.otherAmount.id, cases.otherCurrency.id].sort(),
      );
      expect(unmatchedB).toEqual([]);
      expect(reviewB).toEqual([
        { id: cases.otherAmountOfB.id, note: expect.stringContaining(`order ${b.order.id}`) },
      ]);
    });
  });
});
