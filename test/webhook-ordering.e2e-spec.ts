import type { Order } from '../src/orders/entities/order.entity';
import type { StripeEmulator } from '../src/stripe-emulator';
import { sdkClient } from '../src/stripe-emulator/testing/sdk-client';
import type { TestApp } from './support/app';
import { eventually } from './support/eventually';
import { factories, TestClub } from './support/factories';
import { withStripeApp } from './support/stripe';
import {
  countOf,
  craftEvent,
  deliverInOrder,
  eventOf,
  holdDeliveries,
  postWebhook,
  signed,
} from './support/webhook-events';

interface MintedLink {
  id: number;
  stripe_payment_link_id: string;
}

/**
 * Stripe delivers in no guaranteed order and more than once: these tests hold the emulator's
 * deliveries, then hand the stored events to the app in the order each scenario needs.
 */
describe('Stripe webhooks in any order: state only moves forward', () => {
  let stripe: StripeEmulator;
  let t: TestApp;
  let club: TestClub;

  withStripeApp((made) => ({ stripe, t, club } = made));

  const sdk = () => sdkClient(stripe);
  async function mintedOrder(
    overrides: Partial<Order> = {},
  ): Promise<{ order: Order; link: MintedLink }> {
    const order = await factories(t.db).order(club.tenant.id, overrides);
    return {
      order,
      link: await mint(order.id)
        .expect(201)
        .then((res) => res.body),
    };
  }
  const mint = (orderId: number) => t.as(club.apiKey).post(`/admin/orders/${orderId}/payment-link`);
  const orderOf = async (id: number) =>
    (await t.as(club.apiKey).get(`/admin/orders/${id}`).expect(200)).body;
  const audits = (orderId: number, action: string) =>
    countOf(t, 'audit_log WHERE subject = $1 AND action = $2', [`order:${orderId}`, action]);
  const outcomeOf = async (eventId: string) =>
    (
      (await t.db.query('SELECT outcome, tenant_id, error FROM stripe_events WHERE id = $1', [
        eventId,
      ])) as { outcome: string; tenant_id: number | null; error: string | null }[]
    )[0];
  const linkRow = async (id: number) =>
    (
      (await t.db.query('SELECT status, deactivated_at FROM payment_links WHERE id = $1', [
        id,
      ])) as { status: string; deactivated_at: Date | null }[]
    )[0];

  describe('W4: out of order', () => {
    it('async_payment_succeeded before completed (unpaid) leaves the order paid, never processing', async () => {
      const { order, link } = await mintedOrder();
      const held = await holdDeliveries(stripe, t);
      const session = await stripe.pay(link.stripe_payment_link_id, { method: 'bank_debit' });
      await stripe.settleBankDebit(session.id, 'succeeded');
      await held.release();

      const statuses = await deliverInOrder(stripe, [
        eventOf(stripe, session.id, 'checkout.session.async_payment_succeeded'),
        eventOf(stripe, session.id, 'checkout.session.completed'),
        eventOf(stripe, session.payment_intent!, 'payment_intent.succeeded'),
      ]);

      expect(statuses).toEqual([200, 200, 200]);
      expect(await orderOf(order.id)).toMatchObject({
        status: 'paid',
        amount_paid_cents: order.amountCents,
        stripe_payment_intent_id: session.payment_intent,
      });
      expect(await audits(order.id, 'order.paid')).toBe(1);
      expect(await audits(order.id, 'order.processing')).toBe(0);
    });

    it('charge.refunded before completed is kept and applied when the payment arrives: the order ends refunded', async () => {
      const { order, link } = await mintedOrder();
      const held = await holdDeliveries(stripe, t);
      const session = await stripe.pay(link.stripe_payment_link_id);
      await sdk().refunds.create({ payment_intent: session.payment_intent! });
      await held.release();
      const refunded = eventOf(stripe, session.payment_intent!, 'charge.refunded');

      expect(await deliverInOrder(stripe, [refunded])).toEqual([200]);
      expect(await outcomeOf(refunded.id)).toMatchObject({ outcome: 'unmatched' });
      expect(await orderOf(order.id)).toMatchObject({
        status: 'pending',
        amount_refunded_cents: 0,
      });

      const statuses = await deliverInOrder(stripe, [
        eventOf(stripe, session.id, 'checkout.session.completed'),
        eventOf(stripe, session.payment_intent!, 'payment_intent.succeeded'),
        refunded,
      ]);

      expect(statuses).toEqual([200, 200, 200]);
      expect(await orderOf(order.id)).toMatchObject({
        status: 'refunded',
        amount_paid_cents: order.amountCents,
        amount_refunded_cents: order.amountCents,
      });
      expect(await outcomeOf(refunded.id)).toMatchObject({
        outcome: 'processed',
        tenant_id: club.tenant.id,
      });
      expect(await audits(order.id, 'order.paid')).toBe(1);
      expect(await audits(order.id, 'order.refunded')).toBe(1);
    });

    it('charge.refunded that arrives while a bank debit is still processing is applied once the debit settles', async () => {
      const { order, link } = await mintedOrder();
      const held = await holdDeliveries(stripe, t);
      const session = await stripe.pay(link.stripe_payment_link_id, { method: 'bank_debit' });
      await stripe.settleBankDebit(session.id, 'succeeded');
      await sdk().refunds.create({ payment_intent: session.payment_intent!, amount: 1000 });
      await held.release();

      const statuses = await deliverInOrder(stripe, [
        eventOf(stripe, session.id, 'checkout.session.completed'),
        eventOf(stripe, session.payment_intent!, 'charge.refunded'),
        eventOf(stripe, session.id, 'checkout.session.async_payment_succeeded'),
        eventOf(stripe, session.payment_intent!, 'payment_intent.succeeded'),
      ]);

      expect(statuses).toEqual([200, 200, 200, 200]);
      expect(await orderOf(order.id)).toMatchObject({
        status: 'partially_refunded',
        amount_paid_cents: order.amountCents,
        amount_refunded_cents: 1000,
      });
      expect(await audits(order.id, 'order.refunded')).toBe(1);
    });

    it('a refund and its payment delivered at the same moment always end refunded', async () => {
      const rounds = [];
      const held = await holdDeliveries(stripe, t);
      for (let i = 0; i < 8; i++) {
        const { order, link } = await mintedOrder();
        const session = await stripe.pay(link.stripe_payment_link_id);
        await sdk().refunds.create({ payment_intent: session.payment_intent! });
        rounds.push({ order, session });
      }
      await held.release();

      for (const { session } of rounds) {
        const statuses = await Promise.all([
          stripe.redeliver(eventOf(stripe, session.payment_intent!, 'charge.refunded').id),
          stripe.redeliver(eventOf(stripe, session.id, 'checkout.session.completed').id),
        ]);
        expect(statuses).toEqual([200, 200]);
      }

      for (const { order } of rounds) {
        expect(await orderOf(order.id)).toMatchObject({
          status: 'refunded',
          amount_refunded_cents: order.amountCents,
        });
      }
    });

    it('checkout.session.expired after completed leaves the order and its link paid', async () => {
      const { order, link } = await mintedOrder();
      // The family opened the link twice; they paid in one tab, the other timed out.
      const paidTab = await stripe.openSession(link.stripe_payment_link_id);
      const idleTab = await stripe.openSession(link.stripe_payment_link_id);
      const paid = await stripe.completeSession(paidTab.id);
      await stripe.expireSession(idleTab.id);
      await stripe.waitForDeliveries();
      const expired = eventOf(stripe, idleTab.id, 'checkout.session.expired');
      // Stripe's order: the expiry was created after the payment, and delivered after it.
      expect(expired.created).toBeGreaterThanOrEqual(
        eventOf(stripe, paidTab.id, 'checkout.session.completed').created,
      );

      // Even an expiry of the very session that paid (a late or replayed event) undoes nothing.
      const sameSessionExpired = craftEvent('checkout.session.expired', {
        ...eventOf(stripe, paidTab.id, 'checkout.session.completed').data.object,
        status: 'expired',
      });
      await postWebhook(t, sameSessionExpired.body, signed(sameSessionExpired.body)).expect(200);

      expect(await outcomeOf(expired.id)).toMatchObject({ outcome: 'ignored' });
      expect(await outcomeOf(sameSessionExpired.id)).toMatchObject({ outcome: 'ignored' });
      expect(await orderOf(order.id)).toMatchObject({
        status: 'paid',
        amount_paid_cents: order.amountCents,
        stripe_payment_intent_id: paid.payment_intent,
      });
      expect((await linkRow(link.id)).status).toBe('paid');
      expect(await audits(order.id, 'order.paid')).toBe(1);
    });
  });

  describe('W8: bank debits', () => {
    it('completed (unpaid) → processing; async_payment_failed → failed and payable again with a v2 link; duplicates change nothing', async () => {
      const { order, link } = await mintedOrder();
      const session = await stripe.pay(link.stripe_payment_link_id, { method: 'bank_debit' });
      await stripe.waitForDeliveries();
      expect(await orderOf(order.id)).toMatchObject({
        status: 'processing',
        amount_paid_cents: 0,
        stripe_payment_intent_id: session.payment_intent,
      });

      await stripe.settleBankDebit(session.id, 'failed');
      await stripe.waitForDeliveries();
      const failed = eventOf(stripe, session.id, 'checkout.session.async_payment_failed');
      const completed = eventOf(stripe, session.id, 'checkout.session.completed');
      expect(await deliverInOrder(stripe, [failed, completed, failed])).toEqual([200, 200, 200]);

      expect(await orderOf(order.id)).toMatchObject({
        status: 'failed',
        amount_paid_cents: 0,
        paid_at: null,
        stripe_payment_link_id: null,
        stripe_checkout_url: null,
      });
      expect((await linkRow(link.id)).status).toBe('deactivated');
      expect(await audits(order.id, 'order.processing')).toBe(1);
      expect(await audits(order.id, 'order.payment_failed')).toBe(1);

      // Payable again: a fresh link, whose Stripe write has its own idempotency key.
      const next = (await mint(order.id).expect(201)).body as MintedLink;
      expect(next.stripe_payment_link_id).not.toBe(link.stripe_payment_link_id);
      expect(
        stripe.requests.filter(
          (r) =>
            r.path === '/v1/payment_links' &&
            r.idempotencyKey === `link:${club.tenant.id}:${order.id}:v2`,
        ),
      ).toHaveLength(1);
      await stripe.pay(next.stripe_payment_link_id);
      await stripe.waitForDeliveries();
      expect(await orderOf(order.id)).toMatchObject({
        status: 'paid',
        amount_paid_cents: order.amountCents,
      });
      expect(await audits(order.id, 'order.paid')).toBe(1);
    });

    it('async_payment_failed delivered before completed (unpaid) still leaves the order failed and payable', async () => {
      const { order, link } = await mintedOrder();
      const held = await holdDeliveries(stripe, t);
      const session = await stripe.pay(link.stripe_payment_link_id, { method: 'bank_debit' });
      await stripe.settleBankDebit(session.id, 'failed');
      await held.release();

      const statuses = await deliverInOrder(stripe, [
        eventOf(stripe, session.id, 'checkout.session.async_payment_failed'),
        eventOf(stripe, session.id, 'checkout.session.completed'),
      ]);

      expect(statuses).toEqual([200, 200]);
      expect(await orderOf(order.id)).toMatchObject({ status: 'failed', amount_paid_cents: 0 });
      await mint(order.id).expect(201);
    });

    it('completed (unpaid) → processing; the debit settles → paid once; every event again changes nothing', async () => {
      const { order, link } = await mintedOrder();
      const session = await stripe.pay(link.stripe_payment_link_id, { method: 'bank_debit' });
      await stripe.waitForDeliveries();
      expect((await orderOf(order.id)).status).toBe('processing');
      // Not paid yet, so no new link either: the debit may still succeed.
      await mint(order.id).expect(409);

      await stripe.settleBankDebit(session.id, 'succeeded');
      await stripe.waitForDeliveries();
      expect(await orderOf(order.id)).toMatchObject({
        status: 'paid',
        amount_paid_cents: order.amountCents,
      });

      const all = [
        eventOf(stripe, session.id, 'checkout.session.completed'),
        eventOf(stripe, session.payment_intent!, 'payment_intent.succeeded'),
        eventOf(stripe, session.id, 'checkout.session.async_payment_succeeded'),
      ];
      expect(await deliverInOrder(stripe, [...all, ...all])).toEqual(Array(6).fill(200));
      expect(await orderOf(order.id)).toMatchObject({
        status: 'paid',
        amount_paid_cents: order.amountCents,
      });
      expect(await audits(order.id, 'order.processing')).toBe(1);
      expect(await audits(order.id, 'order.paid')).toBe(1);
      await eventually(async () => {
        expect((await linkRow(link.id)).deactivated_at).not.toBeNull();
      });
    });
  });

  describe('W9: a second payment on one link', () => {
    it('two sessions opened before the link closed, both paid: the first pays the order, the second is an overpayment refunded exactly once, even when replayed', async () => {
      const { order, link } = await mintedOrder();
      const first = await stripe.openSession(link.stripe_payment_link_id);
      const second = await stripe.openSession(link.stripe_payment_link_id);
      await stripe.completeSession(first.id);
      const secondPaid = await stripe.completeSession(second.id);
      await stripe.waitForDeliveries();
      const firstPaid = eventOf(stripe, first.id, 'checkout.session.completed').data.object as {
        payment_intent: string;
      };

      expect(await orderOf(order.id)).toMatchObject({
        status: 'paid',
        amount_paid_cents: order.amountCents,
        amount_refunded_cents: 0,
        stripe_payment_intent_id: firstPaid.payment_intent,
      });
      const overpayments = async () =>
        (await t.db.query(
          `SELECT order_id, stripe_checkout_session_id, stripe_payment_intent_id, amount_cents, stripe_refund_id
           FROM overpayments WHERE order_id = $1`,
          [order.id],
        )) as Record<string, unknown>[];
      expect(await overpayments()).toMatchObject([
        {
          order_id: order.id,
          stripe_checkout_session_id: second.id,
          stripe_payment_intent_id: secondPaid.payment_intent,
          amount_cents: order.amountCents,
        },
      ]);

      const refunds = () =>
        stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/refunds');
      await eventually(async () => {
        expect((await overpayments())[0].stripe_refund_id).toEqual(expect.stringMatching(/^re_/));
      });
      await stripe.waitForDeliveries();

      // Replayed: the same event again, and the same session reported by another event.
      const secondCompleted = eventOf(stripe, second.id, 'checkout.session.completed');
      expect(await stripe.redeliver(secondCompleted.id)).toBe(200);
      const sameSessionAgain = craftEvent(
        'checkout.session.async_payment_succeeded',
        secondCompleted.data.object,
      );
      await postWebhook(t, sameSessionAgain.body, signed(sameSessionAgain.body)).expect(200);

      expect(await overpayments()).toHaveLength(1);
      const [{ id: overpaymentId }] = (await t.db.query(
        'SELECT id FROM overpayments WHERE order_id = $1',
        [order.id],
      )) as { id: number }[];
      expect(
        await countOf(
          t,
          `pgboss.job WHERE name = 'overpayment.refund' AND (data ->> 'overpaymentId')::int = $1`,
          [overpaymentId],
        ),
      ).toBe(1);
      expect(
        refunds()
          .filter((r) => r.params.payment_intent === secondPaid.payment_intent)
          .map((r) => [r.status, r.idempotencyKey, r.params.amount, r.params.reason]),
      ).toEqual([[200, `refund:overpayment:${second.id}`, String(order.amountCents), 'duplicate']]);
      // The refund's own event is recognised as the overpayment's, not the order's.
      const refundEvent = eventOf(stripe, secondPaid.payment_intent!, 'charge.refunded');
      expect(await outcomeOf(refundEvent.id)).toMatchObject({
        outcome: 'ignored',
        error: 'refund of an overpayment',
      });
      expect(await orderOf(order.id)).toMatchObject({
        status: 'paid',
        amount_paid_cents: order.amountCents,
        amount_refunded_cents: 0,
      });
      expect(await audits(order.id, 'order.paid')).toBe(1);
      expect(await audits(order.id, 'order.overpaid')).toBe(1);
    });
  });

  describe('W11: refunds and disputes', () => {
    it('two partial refunds apply from the cumulative amount_refunded in any order, a replay deducts nothing, the full refund ends refunded', async () => {
      const { order, link } = await mintedOrder({ amountCents: 5000 });
      const held = await holdDeliveries(stripe, t);
      const session = await stripe.pay(link.stripe_payment_link_id);
      const pi = session.payment_intent!;
      await sdk().refunds.create({ payment_intent: pi, amount: 1000 });
      await sdk().refunds.create({ payment_intent: pi, amount: 1500 });
      await held.release();
      const firstRefund = eventOf(stripe, pi, 'charge.refunded', 0);
      const secondRefund = eventOf(stripe, pi, 'charge.refunded', 1);
      expect((secondRefund.data.object as { amount_refunded: number }).amount_refunded).toBe(2500);

      expect(
        await deliverInOrder(stripe, [
          eventOf(stripe, session.id, 'checkout.session.completed'),
          secondRefund,
          firstRefund,
          secondRefund,
        ]),
      ).toEqual([200, 200, 200, 200]);
      expect(await orderOf(order.id)).toMatchObject({
        status: 'partially_refunded',
        amount_paid_cents: 5000,
        amount_refunded_cents: 2500,
      });
      expect(await outcomeOf(firstRefund.id)).toMatchObject({ outcome: 'ignored' });

      await sdk().refunds.create({ payment_intent: pi });
      await stripe.waitForDeliveries();

      expect(await orderOf(order.id)).toMatchObject({
        status: 'refunded',
        amount_paid_cents: 5000,
        amount_refunded_cents: 5000,
      });
      expect(await audits(order.id, 'order.refunded')).toBe(2);
    });

    it('charge.dispute.created flags the order once, replayed or reported twice, and leaves its money as it was', async () => {
      const { order, link } = await mintedOrder();
      const session = await stripe.pay(link.stripe_payment_link_id);
      await stripe.waitForDeliveries();
      await stripe.dispute(session.payment_intent!);
      await stripe.waitForDeliveries();
      const disputed = eventOf(stripe, session.payment_intent!, 'charge.dispute.created');

      const flagged = await orderOf(order.id);
      expect(flagged).toMatchObject({
        status: 'paid',
        amount_paid_cents: order.amountCents,
        disputed_at: expect.any(String),
      });

      expect(await stripe.redeliver(disputed.id)).toBe(200);
      const reported = craftEvent('charge.dispute.created', disputed.data.object);
      await postWebhook(t, reported.body, signed(reported.body)).expect(200);

      expect(await outcomeOf(reported.id)).toMatchObject({ outcome: 'ignored' });
      expect(await orderOf(order.id)).toMatchObject({
        status: 'paid',
        disputed_at: flagged.disputed_at,
      });
      expect(await audits(order.id, 'order.disputed')).toBe(1);
    });

    it('a dispute delivered before its payment flags the order when the payment arrives', async () => {
      const { order, link } = await mintedOrder();
      const held = await holdDeliveries(stripe, t);
      const session = await stripe.pay(link.stripe_payment_link_id);
      await stripe.dispute(session.payment_intent!);
      await held.release();

      expect(
        await deliverInOrder(stripe, [
          eventOf(stripe, session.payment_intent!, 'charge.dispute.created'),
          eventOf(stripe, session.id, 'checkout.session.completed'),
        ]),
      ).toEqual([200, 200]);

      expect(await orderOf(order.id)).toMatchObject({
        status: 'paid',
        disputed_at: expect.any(String),
      });
      expect(await audits(order.id, 'order.disputed')).toBe(1);
    });
  });
});
