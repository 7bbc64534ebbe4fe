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
