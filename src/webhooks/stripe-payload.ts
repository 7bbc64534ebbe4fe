import type { CheckoutSession, StripeEventPayload } from '../stripe/stripe-objects';

/*
 * What Courtside reads of a Stripe object or event: pure functions over payloads as Stripe sends
 * them, of any API version. A stored payload may hold none of what is asked for.
 */

/** PostgreSQL's integer: no Courtside id is larger. */
const MAX_ID = 2_147_483_647;

/** The Courtside ids a Stripe object's metadata names, or why they cannot be trusted. */
export function readOrderMetadata(
  metadata: Record<string, string> | null | undefined,
): { tenantId: number; orderId: number; playerId?: number; productId?: number } | string {
  if (!metadata?.tenant_id || !metadata.order_id)
    return 'metadata has no Courtside tenant_id and order_id';
  const tenantId = idIn(metadata.tenant_id);
  const orderId = idIn(metadata.order_id);
  if (tenantId === undefined) return notAnId('tenant_id', metadata.tenant_id);
  if (orderId === undefined) return notAnId('order_id', metadata.order_id);
  return {
    tenantId,
    orderId,
    playerId: idIn(metadata.player_id),
    productId: idIn(metadata.product_id),
  };
}

function idIn(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^\d{1,10}$/.test(value)) return undefined;
  const id = Number(value);
  return id >= 1 && id <= MAX_ID ? id : undefined;
}

const notAnId = (key: string, value: string) =>
  `metadata ${key} ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)} is not a Courtside id`;

/** Stripe fields that are an id or, when expanded, an object with one. */
export function idOf(value: unknown): string | null {
  if (typeof value === 'string') return value || null;
  const id = (value as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' && id ? id : null;
}

/** A club's order, as a Stripe object's metadata names it. */
export interface OrderRef {
  tenantId: number;
  orderId: number;
}

/** What is read of an event's object. */
interface EventObject {
  id?: unknown;
  object?: unknown;
  metadata?: Record<string, string> | null;
  payment_intent?: unknown;
  payment_status?: unknown;
}

function objectOf(event: unknown): EventObject {
  const object = (event as { data?: { object?: unknown } } | null)?.data?.object;
  return typeof object === 'object' && object !== null ? (object as EventObject) : {};
}

/** The club and order the event's own metadata names, if any. */
export function namedOrder(event: unknown): OrderRef | undefined {
  const ids = readOrderMetadata(objectOf(event).metadata);
  return typeof ids === 'string' ? undefined : { tenantId: ids.tenantId, orderId: ids.orderId };
}

/** The PaymentIntent an event is about: its object, or the one its object (a session, charge…) names. */
export function paymentIntentOf(event: unknown): string | null {
  const object = objectOf(event);
  return idOf(object.object === 'payment_intent' ? object.id : object.payment_intent);
}

/** Events of one payment (its PaymentIntent) depend on each other: a refund needs its payment. */
export const paymentOf = (event: unknown): string =>
  paymentIntentOf(event) ?? idOf(objectOf(event).id) ?? '';

/** The session an event pays, when it is one that pays a session. */
export function sessionPaidBy(event: StripeEventPayload): string | undefined {
  const object = objectOf(event);
  const paying =
    event.type === 'checkout.session.async_payment_succeeded' ||
    (event.type === 'checkout.session.completed' && object.payment_status === 'paid');
  return (paying && idOf(object.id)) || undefined;
}

/** Stripe shows `session` paid, for this order. */
export function isPaidSessionOf(session: CheckoutSession | undefined, order: OrderRef): boolean {
  if (!session || session.payment_status !== 'paid') return false;
  const ids = readOrderMetadata(session.metadata);
  // A legacy session may carry no metadata: its id on the order is what ties them.
  return (
    typeof ids === 'string' || (ids.tenantId === order.tenantId && ids.orderId === order.orderId)
  );
}

/** A `checkout.session.completed` made from the session as Stripe lists it `now`. */
export function sessionCompletedEvent(session: CheckoutSession, now: Date): StripeEventPayload {
  return {
    id: `reconcile:${session.id}`,
    object: 'event',
    api_version: null,
    created: Math.floor(now.getTime() / 1000),
    data: { object: session },
    livemode: session.livemode,
    pending_webhooks: 0,
    request: null,
    type: 'checkout.session.completed',
  };
}
