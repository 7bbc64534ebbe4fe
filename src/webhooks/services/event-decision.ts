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

/** The Courtside ids a Stripe object's metadata names, or why they cannot be trusted. */
export function readOrderMetadata(
  metadata: Record<string, string> | null | undefined,
): { tenantId: number; orderId: number; playerId?: number; productId?: number } | string {
  const id = (value: string | undefined) =>
    value && /^\d{1,10}$/.test(value) ? Number(value) : undefined;
  const tenantId = id(metadata?.tenant_id);
  const orderId = id(metadata?.order_id);
  if (tenantId === undefined || orderId === undefined)
    return 'metadata has no Courtside tenant_id and order_id';
  return {
    tenantId,
    orderId,
    playerId: id(metadata?.player_id),
    productId: id(metadata?.product_id),
  };
}
