import { ORDER_STATUSES, OrderStatus } from './entities/order.entity';
import { canMoveOrder, isOrderOwed, orderStatusesBefore } from './order-status';

describe('order state machine', () => {
  const allowed: [OrderStatus, OrderStatus][] = [
    ['pending', 'processing'],
    ['pending', 'paid'],
    ['pending', 'failed'],
    ['pending', 'cancelled'],
    ['processing', 'paid'],
    ['processing', 'failed'],
    ['failed', 'pending'],
    ['failed', 'paid'],
    ['failed', 'processing'],
    ['failed', 'cancelled'],
    ['paid', 'partially_refunded'],
    ['paid', 'refunded'],
    ['partially_refunded', 'partially_refunded'],
    ['partially_refunded', 'refunded'],
  ];

  it.each(allowed)('allows %s → %s', (from, to) => {
    expect(canMoveOrder(from, to)).toBe(true);
  });

  const refused = ORDER_STATUSES.flatMap((from) =>
    ORDER_STATUSES.filter((to) => !allowed.some(([a, b]) => a === from && b === to)).map(
      (to) => [from, to] as [OrderStatus, OrderStatus],
    ),
  );

  it.each(refused)('refuses %s → %s', (from, to) => {
    expect(canMoveOrder(from, to)).toBe(false);
  });

  it('never lets a paid, refunded or cancelled order go back to pending or processing', () => {
    for (const from of ['paid', 'refunded', 'partially_refunded', 'cancelled'] as OrderStatus[]) {
      expect(canMoveOrder(from, 'pending')).toBe(false);
      expect(canMoveOrder(from, 'processing')).toBe(false);
    }
  });

  it('gives the guard of a conditional update', () => {
    expect(orderStatusesBefore('paid').sort()).toEqual(['failed', 'pending', 'processing']);
    expect(orderStatusesBefore('cancelled').sort()).toEqual(['failed', 'pending']);
  });

  it('treats only pending and failed orders as still owed', () => {
    expect(ORDER_STATUSES.filter(isOrderOwed)).toEqual(['pending', 'failed']);
  });
});
