import { OrderStatus } from './entities/order.entity';

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

/*
 * The status sets every reader uses, in TypeScript and as SQL parameters
 * (`o.status = ANY($n::order_status[])`), so no query spells a status of its own.
 */

/** Still owed: a pay link may be made, shown and paid; the amount may change. */
export const OWED: readonly OrderStatus[] = ['pending', 'failed'];
/** A bank debit or card payment has started and not finished. */
export const PROCESSING: readonly OrderStatus[] = ['processing'];
/** The club received the money (some or all of it may have gone back since). */
export const PAID: readonly OrderStatus[] = ['paid', 'partially_refunded', 'refunded'];
/** No longer owed and never paid: the one status that frees a month to be billed again. */
export const CANCELLED: readonly OrderStatus[] = ['cancelled'];
/** A payment started or received: the family must not be asked to pay again. */
export const CHARGED: readonly OrderStatus[] = [...PROCESSING, ...PAID];

/** While an order is still owed, its amount may change; after money moved it may not. */
export function isOrderOwed(status: OrderStatus): boolean {
  return OWED.includes(status);
}

export function isOrderPaid(status: OrderStatus): boolean {
  return PAID.includes(status);
}
