import { OrderStatus } from './order.entity';

/**
 * The order's state machine, in one place. State only moves forward: a late or replayed
 * event can never take a paid order back to pending.
 */
const NEXT: Record<OrderStatus, readonly OrderStatus[]> = {
  pending: ['processing', 'paid', 'failed', 'cancelled'],
  processing: ['paid', 'failed'],
  failed: ['pending', 'processing', 'paid', 'cancelled'],
  paid: ['refunded', 'partially_refunded'],
  partially_refunded: ['partially_refunded', 'refunded'],
  refunded: [],
  cancelled: [],
};

export function canMoveOrder(from: OrderStatus, to: OrderStatus): boolean {
  return NEXT[from].includes(to);
}

/** The statuses an order may be in for `to` to be applied: the guard of a conditional UPDATE. */
export function orderStatusesBefore(to: OrderStatus): OrderStatus[] {
  return (Object.keys(NEXT) as OrderStatus[]).filter((from) => canMoveOrder(from, to));
}

/** While an order is still owed, its amount may change; after money moved it may not. */
export function isOrderOwed(status: OrderStatus): boolean {
  return status === 'pending' || status === 'failed';
}
