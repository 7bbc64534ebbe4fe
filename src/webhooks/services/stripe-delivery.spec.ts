import { createHash } from 'node:crypto';
import { readDelivery, readEvent } from './stripe-delivery';

const event = (changes: Record<string, unknown> = {}, object: Record<string, unknown> = {}) => ({
  id: 'evt_1',
  object: 'event',
  api_version: '2025-03-31.basil',
  created: 1_750_000_000,
  livemode: false,
  type: 'checkout.session.completed',
  data: {
    object: {
      id: 'cs_1',
      object: 'checkout.session',
      payment_status: 'paid',
      payment_intent: 'pi_1',
      payment_link: 'plink_1',
      metadata: { tenant_id: '1', order_id: '2' },
      amount_total: 4200,
      currency: 'usd',
      ...object,
    },
  },
  ...changes,
});
const bytes = (value: unknown) => Buffer.from(JSON.stringify(value));
const sha256Id = (body: Buffer) => `evt_sha256_${createHash('sha256').update(body).digest('hex')}`;

describe('reading a signed delivery into an inbox row', () => {
  it("keeps a Stripe event's id, type, mode and API version", () => {
    expect(readDelivery(bytes(event()))).toEqual({
      id: 'evt_1',
      type: 'checkout.session.completed',
      livemode: false,
      apiVersion: '2025-03-31.basil',
      payload: event(),
    });
  });

  it('replaces NUL characters and lone surrogates, in values and keys, with U+FFFD', () => {
    const body = Buffer.from(
      '{"id":"evt_1","type":"x","data":{"object":{"name":"A\\u0000B","\\u0000key":"\\ud800","ok":"\\ud83d\\ude00"}}}',
    );
    expect(readDelivery(body).payload).toEqual({
      id: 'evt_1',
      type: 'x',
      data: { object: { name: 'A\uFFFDB', '\uFFFDkey': '\uFFFD', ok: '😀' } },
    });
  });

  it.each([
    ['no id', { type: 'x' }],
    ['an id that is not text', { id: 42 }],
    ['an id with a NUL character', { id: 'evt_\u0000' }],
    ['an id with spaces', { id: 'evt 1' }],
    ['an id longer than any Stripe id', { id: `evt_${'a'.repeat(300)}` }],
  ])('names a delivery with %s after the SHA-256 of its bytes', (_case, value) => {
    const body = bytes(value);
    expect(readDelivery(body).id).toBe(sha256Id(body));
    expect(readDelivery(body).id).toBe(readDelivery(Buffer.from(body)).id);
  });

  it.each([
    ['not JSON', 'checkout.session.completed'],
    ['JSON cut short', '{"id": "evt_1", "type": "checkout'],
    ['JSON nested deeper than any event', `${'['.repeat(100)}${']'.repeat(100)}`],
    ['text with a NUL byte', 'a\u0000b'],
  ])('keeps a body that is %s as its text', (_case, text) => {
    const entry = readDelivery(Buffer.from(text));
    expect(entry).toEqual({
      id: sha256Id(Buffer.from(text)),
      type: '',
      livemode: false,
      apiVersion: null,
      payload: text.replaceAll('\u0000', '\uFFFD'),
    });
  });

  it('stores no mode, type or API version it cannot read as one', () => {
    expect(
      readDelivery(bytes({ id: 'evt_1', livemode: 'true', type: 7, api_version: {} })),
    ).toEqual(expect.objectContaining({ type: '', livemode: false, apiVersion: null }));
  });
});

describe('reading a stored payload as an event the handlers can apply', () => {
  it('returns the event when the fields its handler reads have their types', () => {
    expect(readEvent(event())).toEqual(event());
    expect(readEvent(event({}, { payment_intent: { id: 'pi_1' }, metadata: null }))).toEqual(
      expect.objectContaining({ id: 'evt_1' }),
    );
    expect(readEvent(event({ type: 'invoice.paid' }, { payment_status: 7 }))).toEqual(
      expect.objectContaining({ type: 'invoice.paid' }),
    );
  });

  it.each<[string, unknown, string]>([
    ['a list', [event()], 'the delivery is a list, not a Stripe event'],
    ['text', 'evt_1', 'the delivery is text, not a Stripe event'],
    ['null', null, 'the delivery is null, not a Stripe event'],
    ['no id', { ...event(), id: undefined }, 'Courtside cannot read id: expected string'],
    ['no data', { ...event(), data: undefined }, 'Courtside cannot read data: expected object'],
    [
      'data.object null',
      event({ data: { object: null } }),
      'Courtside cannot read data.object: expected object, received null',
    ],
    ['livemode as text', event({ livemode: 'false' }), 'Courtside cannot read livemode'],
    ['created as text', event({ created: 'yesterday' }), 'Courtside cannot read created'],
    ['an empty type', event({ type: '' }), 'Courtside cannot read type: empty'],
    [
      'an amount as text',
      event({}, { amount_total: '4200' }),
      'Courtside cannot read data.object.amount_total: expected number, received string',
    ],
    [
      'an amount with a fraction',
      event({}, { amount_total: 42.5 }),
      'Courtside cannot read data.object.amount_total',
    ],
    [
      'an amount beyond an integer column',
      event({}, { amount_total: 2_147_483_648 }),
      'Courtside cannot read data.object.amount_total: more cents than an order can hold',
    ],
    [
      'a metadata value as a number',
      event({}, { metadata: { tenant_id: 1, order_id: '2' } }),
      'Courtside cannot read data.object.metadata.tenant_id: expected string, received number',
    ],
    [
      'metadata as text',
      event({}, { metadata: 'order_id=2' }),
      'Courtside cannot read data.object.metadata',
    ],
    [
      'a PaymentIntent as a number',
      event({}, { payment_intent: 7 }),
      'Courtside cannot read data.object.payment_intent: neither an id nor an object with one',
    ],
    [
      'a session id too long for an index',
      event({}, { id: `cs_${'x'.repeat(3000)}` }),
      'Courtside cannot read data.object.id: not a Stripe id',
    ],
    [
      'another kind of object',
      event({}, { payment_status: undefined }),
      'Courtside cannot read data.object.payment_status',
    ],
    [
      'an expanded PaymentIntent on a refund',
      event(
        { type: 'charge.refunded' },
        { payment_intent: { id: 'pi_1' }, amount_refunded: 100, currency: 'usd' },
      ),
      'Courtside cannot read data.object.payment_intent',
    ],
  ])('says why it cannot read %s', (_case, payload, note) => {
    expect(readEvent(payload)).toEqual(expect.stringContaining(note));
  });

  it('looks handlers up by the exact type, never by inherited names', () => {
    expect(readEvent(event({ type: 'constructor' }))).toEqual(
      expect.objectContaining({ type: 'constructor' }),
    );
  });
});
