import type { EventOutcome } from '../entities/stripe-event.entity';

/** What applying one event came to: stored on its inbox row. */
export interface EventDecision {
  outcome: EventOutcome;
  tenantId?: number;
  /** Why, in words the club's admin can act on. */
  note?: string;
  /** The PaymentIntent whose payment this event recorded: what waited for it is applied next. */
  paidPaymentIntent?: string;
}

export const decide = (outcome: EventOutcome, note?: string, tenantId?: number): EventDecision => ({
  outcome,
  note,
  tenantId,
});

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
