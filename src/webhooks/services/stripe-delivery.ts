import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { StripeEventPayload } from '../../stripe/stripe-objects';

/**
 * Reading what Stripe delivered, once its signature matched, in two steps that cannot fail.
 * Stripe retries a refused delivery for days and its payment is never recorded, so whatever a
 * signed body holds ends up stored with an outcome; what Courtside cannot read is kept for a
 * person (needs_review) with a note saying why.
 *
 * `readDelivery` makes the inbox row: PostgreSQL refuses NUL characters and lone UTF-16
 * surrogates in jsonb and text, so they become U+FFFD (keys too); a body that is not JSON, or
 * nests deeper than any event, is kept as its text; an event without a usable id is named after
 * the SHA-256 of its bytes, so Stripe's retries of it are duplicates.
 *
 * `readEvent` checks a stored payload against what the handlers read, per event type, before
 * anything is applied (deliveries, reconcile and replays alike).
 */

export interface InboxEntry {
  id: string;
  type: string;
  livemode: boolean;
  apiVersion: string | null;
  /** The delivery as Stripe sent it, with what PostgreSQL refuses replaced. */
  payload: unknown;
}

/** Deeper than any Stripe event; jsonb input has a stack limit of its own. */
const MAX_DEPTH = 64;
/** Stripe's ids are short and printable: safe as a primary key, in an index and in a note. */
const STRIPE_ID = /^[\x21-\x7e]{1,255}$/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

export function readDelivery(rawBody: Buffer): InboxEntry {
  const text = rawBody.toString('utf8');
  let payload: unknown;
  try {
    payload = storable(JSON.parse(text), 0);
  } catch {
    payload = storableText(text);
  }
  const { id, type, livemode, api_version } = isRecord(payload) ? payload : {};
  return {
    id:
      typeof id === 'string' && STRIPE_ID.test(id)
        ? id
        : `evt_sha256_${createHash('sha256').update(rawBody).digest('hex')}`,
    type: typeof type === 'string' ? type.slice(0, 255) : '',
    livemode: livemode === true,
    apiVersion: typeof api_version === 'string' ? api_version.slice(0, 255) : null,
    payload,
  };
}

/** An event read from Stripe's API (reconcile) goes into the inbox as a delivery of it would. */
export const inboxEntryOf = (event: StripeEventPayload): InboxEntry =>
  readDelivery(Buffer.from(JSON.stringify(event)));

function storable(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return storableText(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) throw new RangeError('nested deeper than any Stripe event');
  if (Array.isArray(value)) return value.map((item) => storable(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([key, item]) => [storableText(key), storable(item, depth + 1)]),
  );
}

const storableText = (text: string): string =>
  text.replaceAll('\u0000', '\ufffd').replace(LONE_SURROGATE, '\ufffd');

const stripeId = z.string().regex(STRIPE_ID, 'not a Stripe id');
/** Minor units that an order's integer columns can hold. */
const cents = z
  .int()
  .min(0, 'a negative amount')
  .max(2_147_483_647, 'more cents than an order can hold');
const currency = z.string().regex(/^[a-z]{3}$/, 'not a three-letter currency');
/** An id, or the object it names when expanded. */
const reference = z.union([stripeId, z.looseObject({ id: stripeId })], {
  error: 'neither an id nor an object with one',
});
/** Stripe's metadata values are strings; readOrderMetadata reads the Courtside ids in them. */
const metadata = z.record(z.string(), z.string()).nullish();

const envelope = z.looseObject({
  id: stripeId,
  type: z.string().min(1, 'empty'),
  livemode: z.boolean(),
  created: z.int().min(0, 'before 1970'),
  data: z.looseObject({ object: z.looseObject({}) }),
});
const eventOf = (object: z.ZodObject) => envelope.extend({ data: z.looseObject({ object }) });

/**
 * The fields each handler (payment-events.service.ts, refund-and-dispute-events.service.ts) reads,
 * with the types it reads them as.
 */
const session = eventOf(
  z.looseObject({
    payment_status: z.string(),
    id: stripeId,
    payment_intent: reference.nullish(),
    payment_link: reference.nullish(),
    customer: reference.nullish(),
    metadata,
    amount_total: cents.nullish(),
    currency: currency.nullish(),
  }),
);
const HANDLED = new Map<string, z.ZodObject>([
  ['checkout.session.completed', session],
  ['checkout.session.async_payment_succeeded', session],
  ['checkout.session.async_payment_failed', session],
  [
    'payment_intent.succeeded',
    eventOf(
      z.looseObject({
        id: stripeId,
        metadata,
        amount: cents,
        amount_received: cents.nullish(),
        currency,
      }),
    ),
  ],
  ['payment_method.detached', eventOf(z.looseObject({ id: stripeId }))],
  // Refunds and disputes wait for their payment by the PaymentIntent id in their payload (the
  // stripe_events_waiting_idx expression): it must be that id, never an expanded object.
  [
    'charge.refunded',
    eventOf(
      z.looseObject({ payment_intent: stripeId.nullish(), amount_refunded: cents, currency }),
    ),
  ],
  [
    'charge.dispute.created',
    eventOf(z.looseObject({ id: stripeId, payment_intent: stripeId.nullish(), amount: cents })),
  ],
]);

/** The stored payload as the event the handlers read, or why it cannot be one. */
export function readEvent(payload: unknown): StripeEventPayload | string {
  if (!isRecord(payload)) return `the delivery is ${kindOf(payload)}, not a Stripe event`;
  const schema = (typeof payload.type === 'string' && HANDLED.get(payload.type)) || envelope;
  const checked = schema.safeParse(payload);
  if (checked.success) return payload as unknown as StripeEventPayload;
  const [issue] = checked.error.issues;
  return `Courtside cannot read ${issue.path.join('.')}: ${issue.message.replace(/^Invalid input: /, '')}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return 'text';
  if (value === null) return 'null';
  return typeof value === 'number' ? 'a number' : 'true or false';
}
