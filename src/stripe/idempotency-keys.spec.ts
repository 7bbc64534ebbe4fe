import { idempotencyKeys } from './idempotency-keys';

// Pinned: a changed format would make Stripe treat a retry of work in flight as new work.
describe('idempotency keys', () => {
  it.each([
    [idempotencyKeys.payLink(3, 41, 2), 'link:3:41:v2'],
    [idempotencyKeys.product(3, 7), 'product:3:7'],
    [idempotencyKeys.price(3, 7, 'usd', 12500), 'price:3:7:usd:12500'],
    [idempotencyKeys.overpaymentRefund('cs_test_1'), 'refund:overpayment:cs_test_1'],
    [idempotencyKeys.autopay(3, 41, 2), 'autopay:3:41:v2'],
    [idempotencyKeys.customer(3, 12), 'customer:3:12'],
    [idempotencyKeys.attachCard(3, 12, 'pm_card_visa'), 'attach:3:12:pm_card_visa'],
    [idempotencyKeys.deactivatePayLink('plink_1'), 'deactivate:plink_1'],
    [idempotencyKeys.expireCheckoutSession('cs_test_1'), 'expire:cs_test_1'],
  ])('%s', (key, expected) => {
    expect(key).toBe(expected);
  });
});
