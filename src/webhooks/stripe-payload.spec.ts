import type { CheckoutSession, StripeEventPayload } from '../stripe/stripe-objects';
import disputeCreated from '../../test/fixtures/stripe-events/charge.dispute.created.json';
import chargeRefunded from '../../test/fixtures/stripe-events/charge.refunded.json';
import sessionCompletedPaid from '../../test/fixtures/stripe-events/checkout.session.completed.payment_mode.json';
import sessionCompletedSetup from '../../test/fixtures/stripe-events/checkout.session.completed.setup_mode.json';
import invoicePaid from '../../test/fixtures/stripe-events/invoice.paid.json';
import paymentIntentSucceeded from '../../test/fixtures/stripe-events/payment_intent.succeeded.json';
import {
  idOf,
  isPaidSessionOf,
  namedOrder,
  paymentIntentOf,
  paymentOf,
  readOrderMetadata,
  sessionCompletedEvent,
  sessionPaidBy,
} from './stripe-payload';

/* Real Stripe payloads (test/fixtures/stripe-events), some given Courtside's metadata. */
const event = (fixture: unknown) => fixture as StripeEventPayload;
const sessionOf = (fixture: unknown) =>
  (fixture as { data: { object: CheckoutSession } }).data.object;

function withObject(fixture: unknown, changes: Record<string, unknown>): StripeEventPayload {
  const payload = fixture as { data: { object: object } };
  return event({
    ...payload,
    data: { ...payload.data, object: { ...payload.data.object, ...changes } },
  });
}

const forOrder42 = { tenant_id: '3', order_id: '42' };

describe('reading Courtside ids from Stripe metadata', () => {
  it('reads well-formed ids', () => {
    expect(
      readOrderMetadata({ tenant_id: '3', order_id: '42', player_id: '7', product_id: '9' }),
    ).toEqual({
      tenantId: 3,
      orderId: 42,
      playerId: 7,
      productId: 9,
    });
    expect(readOrderMetadata({ tenant_id: '1', order_id: '2147483647' })).toMatchObject({
      orderId: 2_147_483_647,
    });
  });

  it.each([[undefined], [null], [{}], [{ tenant_id: '3' }], [{ tenant_id: '', order_id: '1' }]])(
    'finds no ids in %j',
    (metadata) => {
      expect(readOrderMetadata(metadata as Record<string, string> | undefined)).toBe(
        'metadata has no Courtside tenant_id and order_id',
      );
    },
  );

  it.each([
    [{ tenant_id: 'abc', order_id: '1' }, 'metadata tenant_id "abc" is not a Courtside id'],
    [{ tenant_id: '1', order_id: '-1' }, 'metadata order_id "-1" is not a Courtside id'],
    [{ tenant_id: '1', order_id: '1.5' }, 'metadata order_id "1.5" is not a Courtside id'],
    [{ tenant_id: '1', order_id: '0' }, 'metadata order_id "0" is not a Courtside id'],
    // Beyond PostgreSQL's integer: the database would refuse to look them up.
    [
      { tenant_id: '1', order_id: '2147483648' },
      'metadata order_id "2147483648" is not a Courtside id',
    ],
    [
      { tenant_id: '9999999999', order_id: '1' },
      'metadata tenant_id "9999999999" is not a Courtside id',
    ],
    [
      { tenant_id: '1', order_id: '99999999999' },
      'metadata order_id "99999999999" is not a Courtside id',
    ],
    [
      { tenant_id: '1', order_id: '1'.repeat(60) },
      `metadata order_id "${'1'.repeat(40)}…" is not a Courtside id`,
    ],
  ])('refuses malformed or out-of-range ids: %j', (metadata, note) => {
    expect(readOrderMetadata(metadata)).toBe(note);
  });

  it('leaves out a player or product id it cannot read, as it is only compared', () => {
    expect(
      readOrderMetadata({
        tenant_id: '1',
        order_id: '2',
        player_id: '9999999999',
        product_id: 'x',
      }),
    ).toEqual({ tenantId: 1, orderId: 2, playerId: undefined, productId: undefined });
  });
});

describe('reading an id that Stripe may have expanded', () => {
  it.each<[unknown, string | null]>([
    ['pi_1', 'pi_1'],
    [{ id: 'pi_1', object: 'payment_intent' }, 'pi_1'],
    [null, null],
    [undefined, null],
    ['', null],
    [{ id: 7 }, null],
    [7, null],
  ])('%j → %j', (value, id) => {
    expect(idOf(value)).toBe(id);
  });
});

describe('the PaymentIntent an event is about', () => {
  it.each<[string, unknown, string | null]>([
    ['a PaymentIntent event: its own id', paymentIntentSucceeded, 'pi_000000000000000000000000'],
    ['a paid session: the one it names', sessionCompletedPaid, 'pi_00000000000000'],
    ['an invoice: the one it names', invoicePaid, 'pi_000000000000000000000000'],
    ['a session that took no payment: none', sessionCompletedSetup, null],
    // API 2018-01-23 and older: a dispute and a charge name no PaymentIntent.
    ['an old dispute: none', disputeCreated, null],
    ['an old refunded charge: none', chargeRefunded, null],
  ])('%s', (_, fixture, paymentIntent) => {
    expect(paymentIntentOf(fixture)).toBe(paymentIntent);
  });

  it('reads an expanded PaymentIntent', () => {
    const expanded = withObject(sessionCompletedPaid, {
      payment_intent: { id: 'pi_expanded', object: 'payment_intent' },
    });
    expect(paymentIntentOf(expanded)).toBe('pi_expanded');
  });

  it.each([[null], [undefined], [{}], [{ data: {} }], [{ data: { object: 'cs_1' } }]])(
    'finds none in a payload without an object: %j',
    (payload) => {
      expect(paymentIntentOf(payload)).toBeNull();
      expect(paymentOf(payload)).toBe('');
    },
  );
});

describe('the payment an event belongs to', () => {
  it('is its PaymentIntent when it names one', () => {
    expect(paymentOf(sessionCompletedPaid)).toBe('pi_00000000000000');
    expect(paymentOf(paymentIntentSucceeded)).toBe('pi_000000000000000000000000');
  });

  it("is the object's own id when it names no PaymentIntent", () => {
    expect(paymentOf(disputeCreated)).toBe('dp_00000000000000');
    expect(paymentOf(chargeRefunded)).toBe('ch_00000000000000');
  });
});

describe('the order an event names', () => {
  it('is none without Courtside metadata', () => {
    expect(namedOrder(sessionCompletedPaid)).toBeUndefined();
    expect(namedOrder(paymentIntentSucceeded)).toBeUndefined();
    expect(namedOrder(null)).toBeUndefined();
  });

  it("is the club and order of the object's metadata", () => {
    expect(namedOrder(withObject(sessionCompletedPaid, { metadata: forOrder42 }))).toEqual({
      tenantId: 3,
      orderId: 42,
    });
  });

  it('is none when the metadata holds no Courtside id', () => {
    const foreign = withObject(sessionCompletedPaid, {
      metadata: { tenant_id: '3', order_id: 'ord_42' },
    });
    expect(namedOrder(foreign)).toBeUndefined();
  });
});

describe('the session an event pays', () => {
  it('is a completed and paid session', () => {
    expect(sessionPaidBy(event(sessionCompletedPaid))).toBe('cs_00000000000000');
  });

  it('is a bank debit that settled later', () => {
    const settled = {
      ...withObject(sessionCompletedPaid, { payment_status: 'paid' }),
      type: 'checkout.session.async_payment_succeeded',
    } as StripeEventPayload;
    expect(sessionPaidBy(settled)).toBe('cs_00000000000000');
  });

  it('is none for a session completed without payment, or still waiting for one', () => {
    expect(sessionPaidBy(event(sessionCompletedSetup))).toBeUndefined();
    expect(
      sessionPaidBy(withObject(sessionCompletedPaid, { payment_status: 'unpaid' })),
    ).toBeUndefined();
  });

  it('is none for events that are not about a session', () => {
    expect(sessionPaidBy(event(paymentIntentSucceeded))).toBeUndefined();
    expect(sessionPaidBy(event(chargeRefunded))).toBeUndefined();
  });
});

describe("whether Stripe shows an order's session paid", () => {
  const order42 = { tenantId: 3, orderId: 42 };
  const paid = sessionOf(withObject(sessionCompletedPaid, { metadata: forOrder42 }));

  it('is when the paid session names the order', () => {
    expect(isPaidSessionOf(paid, order42)).toBe(true);
  });

  it('is when the paid session is a legacy one, naming no order', () => {
    expect(isPaidSessionOf(sessionOf(sessionCompletedPaid), order42)).toBe(true);
  });

  it('is not when the session names another order or club', () => {
    expect(isPaidSessionOf(paid, { tenantId: 3, orderId: 43 })).toBe(false);
    expect(isPaidSessionOf(paid, { tenantId: 4, orderId: 42 })).toBe(false);
  });

  it('is not when the session is unpaid or Stripe has none', () => {
    expect(isPaidSessionOf({ ...paid, payment_status: 'unpaid' }, order42)).toBe(false);
    expect(isPaidSessionOf(sessionOf(sessionCompletedSetup), order42)).toBe(false);
    expect(isPaidSessionOf(undefined, order42)).toBe(false);
  });
});

describe('the checkout.session.completed reconcile makes from a paid session', () => {
  const session = sessionOf(withObject(sessionCompletedPaid, { metadata: forOrder42 }));
  const made = sessionCompletedEvent(session, new Date('2026-03-31T12:00:00Z'));

  it('has an id of its own, one per session, and the session as Stripe lists it', () => {
    expect(made).toMatchObject({
      id: 'reconcile:cs_00000000000000',
      type: 'checkout.session.completed',
      created: 1_774_958_400,
      livemode: false,
      data: { object: session },
    });
  });

  it('pays the session and names its order, as a delivered one would', () => {
    expect(sessionPaidBy(made)).toBe('cs_00000000000000');
    expect(namedOrder(made)).toEqual({ tenantId: 3, orderId: 42 });
    expect(paymentOf(made)).toBe('pi_00000000000000');
  });
});
