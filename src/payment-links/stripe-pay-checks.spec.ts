import type { CheckoutSession, LineItem, PaymentLink } from '../stripe/stripe-objects';
import { linkProblem, metadataOwner, openSessionProblem } from './stripe-pay-checks';

const order = { id: 42, tenantId: 7, amountCents: 7_500, currency: 'usd' };
const ours = { tenant_id: '7', order_id: '42', player_id: '3', product_id: '9' };

const link = (overrides: Partial<PaymentLink> = {}) => ({
  link: { id: 'plink_1', active: true, metadata: ours, ...overrides } as PaymentLink,
  lineItems: [
    { quantity: 1, price: { unit_amount: 7_500, currency: 'usd' } } as unknown as LineItem,
  ],
});
const session = (overrides: Partial<CheckoutSession> = {}) =>
  ({
    id: 'cs_1',
    status: 'open',
    metadata: ours,
    amount_total: 7_500,
    currency: 'usd',
    ...overrides,
  }) as CheckoutSession;

describe('stripe pay checks', () => {
  it('an active link naming the order and selling its amount once can take its payment', () => {
    expect(linkProblem(order, link())).toBeUndefined();
  });

  it('a link that is gone, names another order, is inactive or sells another amount cannot', () => {
    expect(linkProblem(order, undefined)).toBe('the link is not found at Stripe');
    expect(linkProblem(order, link({ metadata: {} }))).toMatch(/does not name this order/);
    expect(linkProblem(order, link({ metadata: { ...ours, order_id: '41' } }))).toMatch(
      /does not name this order/,
    );
    expect(linkProblem(order, link({ active: false }))).toBe('the link is inactive at Stripe');
    const dearer = link();
    dearer.lineItems[0].price!.unit_amount = 8_000;
    expect(linkProblem(order, dearer)).toBe("the link sells $80.00, not the order's $75.00");
    const twice = link();
    twice.lineItems[0].quantity = 2;
    expect(linkProblem(order, twice)).toMatch(/sells something else/);
  });

  it("reads whose order metadata names: this one, another club's, another order, or nobody", () => {
    expect(metadataOwner(ours, order)).toBe('this_order');
    expect(metadataOwner({ ...ours, tenant_id: '8' }, order)).toBe('another_club');
    expect(metadataOwner({ ...ours, order_id: '43' }, order)).toBe('another_order');
    expect(metadataOwner({}, order)).toBe('nobody');
    expect(metadataOwner(null, order)).toBe('nobody');
  });

  it('an open session must name the order and charge its amount', () => {
    expect(openSessionProblem(order, session())).toBeUndefined();
    expect(openSessionProblem(order, session({ metadata: {} }))).toMatch(/credit nobody/);
    expect(openSessionProblem(order, session({ metadata: { ...ours, tenant_id: '8' } }))).toMatch(
      /another club/,
    );
    expect(openSessionProblem(order, session({ amount_total: 5_000 }))).toBe(
      "the session charges $50.00, not the order's $75.00",
    );
  });
});
