import { Order } from '../src/orders/entities/order.entity';
import type { StripeEmulator, StripeEventType } from '../src/stripe-emulator';
import { sdkClient } from '../src/stripe-emulator/testing/sdk-client';
import type { StripeEventPayload } from '../src/stripe/stripe-objects';
import { StripeEvent } from '../src/webhooks/entities/stripe-event.entity';
import { EventReplayService } from '../src/webhooks/services/event-replay.service';
import { StripeEventsService } from '../src/webhooks/services/stripe-events.service';
import type { TestApp } from './support/app';
import { factories, TestClub } from './support/factories';
import { withStripeApp } from './support/stripe';
import { countOf, eventOf, holdDeliveries } from './support/webhook-events';

/**
 * The webhook's decisions, asked of the services directly on a real database: the emulator's
 * deliveries are held, and each test hands the inbox the events it needs, read from Stripe's API
 * as reconcile reads them, in the order its scenario needs.
 */
describe('Webhook decisions: what the inbox does with each event', () => {
  let stripe: StripeEmulator;
  let t: TestApp;
  let club: TestClub;

  withStripeApp((made) => ({ stripe, t, club } = made));

  const inbox = () => t.app.get(StripeEventsService);
  const replays = () => t.app.get(EventReplayService);
  const sdk = () => sdkClient(stripe);

  /** An order with a link minted by Courtside, paid at Stripe while the app hears nothing. */
  async function paidAtStripe(
    afterPayment: (paymentIntentId: string) => Promise<unknown> = async () => undefined,
  ): Promise<{ order: Order; sessionId: string; paymentIntentId: string }> {
    const order = await factories(t.db).order(club.tenant.id);
    const link = (
      await t.as(club.apiKey).post(`/admin/orders/${order.id}/payment-link`).expect(201)
    ).body as { stripe_payment_link_id: string };
    const held = await holdDeliveries(stripe, t);
    const session = await stripe.pay(link.stripe_payment_link_id);
    await afterPayment(session.payment_intent!);
    await held.release();
    return { order, sessionId: session.id, paymentIntentId: session.payment_intent! };
  }
  const fromStripe = (about: string, type: StripeEventType) =>
    sdk().events.retrieve(eventOf(stripe, about, type).id) as Promise<StripeEventPayload>;
  /** The same event reported again under another id (as reconcile could find it). */
  function reported(event: StripeEventPayload): StripeEventPayload {
    const copy = structuredClone(event);
    copy.id = `${event.id}_reported`;
    return copy;
  }
  const storedOrder = (id: number) => t.db.getRepository(Order).findOneByOrFail({ id });
  const inboxRow = (id: string) => t.db.getRepository(StripeEvent).findOneByOrFail({ id });
  const audits = (orderId: number, action: string) =>
    countOf(t, 'audit_log WHERE subject = $1 AND action = $2', [`order:${orderId}`, action]);

  it('a payment is applied once: its event again, the same payment under another event id, or a replay changes nothing', async () => {
    const { order, sessionId, paymentIntentId } = await paidAtStripe();
    const completed = await fromStripe(sessionId, 'checkout.session.completed');

    expect(await inbox().record(completed)).toEqual({
      decision: expect.objectContaining({ outcome: 'processed', tenantId: club.tenant.id }),
      kept: true,
    });
    const paid = await storedOrder(order.id);
    expect(paid).toMatchObject({
      status: 'paid',
      amountPaidCents: order.amountCents,
      stripePaymentIntentId: paymentIntentId,
    });

    expect((await inbox().record(completed)).decision).toEqual(
      expect.objectContaining({ outcome: 'duplicate' }),
    );
    expect((await inbox().record(reported(completed))).decision).toMatchObject({
      outcome: 'ignored',
      note: `order ${order.id} already records this payment`,
    });
    const replayed = await replays().reapply(completed.id);
    expect(replayed).toMatchObject({ before: { outcome: 'processed' }, changed: false });
    // Processed is final: the replay does not apply it again.
    expect(replayed.decision).toBeUndefined();

    expect(await storedOrder(order.id)).toEqual(paid);
    expect(await audits(order.id, 'order.paid')).toBe(1);
    expect(await inboxRow(completed.id)).toMatchObject({ outcome: 'processed', attempts: 2 });
  });

  it('a refund that comes before its payment waits as unmatched and is applied in the transaction that records the payment', async () => {
    const { order, sessionId, paymentIntentId } = await paidAtStripe((paymentIntent) =>
      sdk().refunds.create({ payment_intent: paymentIntent }),
    );
    const refunded = await fromStripe(paymentIntentId, 'charge.refunded');

    expect((await inbox().record(refunded)).decision).toMatchObject({
      outcome: 'unmatched',
      note: `no order has PaymentIntent ${paymentIntentId} yet; applied when its payment arrives`,
    });
    expect(await storedOrder(order.id)).toMatchObject({
      status: 'pending',
      amountRefundedCents: 0,
    });

    await inbox().record(await fromStripe(sessionId, 'checkout.session.completed'));

    expect(await storedOrder(order.id)).toMatchObject({
      status: 'refunded',
      amountPaidCents: order.amountCents,
      amountRefundedCents: order.amountCents,
    });
    expect(await inboxRow(refunded.id)).toMatchObject({
      outcome: 'processed',
      tenantId: club.tenant.id,
      error: null,
    });
    expect(await audits(order.id, 'order.refunded')).toBe(1);
  });

  it('a dispute flags the paid order once and leaves its money as it was', async () => {
    const { order, sessionId, paymentIntentId } = await paidAtStripe((paymentIntent) =>
      stripe.dispute(paymentIntent),
    );
    await inbox().record(await fromStripe(sessionId, 'checkout.session.completed'));
    const disputed = await fromStripe(paymentIntentId, 'charge.dispute.created');
    const dispute = disputed.data.object as { id: string };

    expect((await inbox().record(disputed)).decision).toMatchObject({
      outcome: 'processed',
      note: `dispute ${dispute.id} opened`,
      tenantId: club.tenant.id,
    });
    const flagged = await storedOrder(order.id);
    expect(flagged).toMatchObject({
      status: 'paid',
      amountPaidCents: order.amountCents,
      amountRefundedCents: 0,
      disputedAt: expect.any(Date),
    });

    expect((await inbox().record(reported(disputed))).decision).toMatchObject({
      outcome: 'ignored',
      note: `order ${order.id} is already flagged as disputed`,
    });
    expect(await storedOrder(order.id)).toEqual(flagged);
    expect(await audits(order.id, 'order.disputed')).toBe(1);
  });

  it('an event naming an order the club does not have is stored as unmatched with the reason, and credits nobody', async () => {
    const { order, sessionId } = await paidAtStripe();
    const completed = await fromStripe(sessionId, 'checkout.session.completed');
    const missingOrder = order.id + 1_000_000;
    const naming = reported(completed);
    (naming.data.object as { metadata: Record<string, string> }).metadata.order_id =
      String(missingOrder);

    expect((await inbox().record(naming)).decision).toMatchObject({
      outcome: 'unmatched',
      note: `club ${club.tenant.id} has no order ${missingOrder}`,
      tenantId: undefined,
    });

    expect(await inboxRow(naming.id)).toMatchObject({
      outcome: 'unmatched',
      tenantId: null,
      error: `club ${club.tenant.id} has no order ${missingOrder}`,
      processedAt: expect.any(Date),
    });
    expect(await storedOrder(order.id)).toMatchObject({ status: 'pending', amountPaidCents: 0 });
  });
});
