import { payLinkParams } from './pay-link-params';

describe('payLinkParams', () => {
  const order = { id: 42, tenantId: 7, playerId: 3, productId: 9 };
  const ids = { tenant_id: '7', order_id: '42', player_id: '3', product_id: '9' };

  it("sells the tier's price once and names the order on the link and on its payment", () => {
    const params = payLinkParams(order, { category: 'jersey' }, 'price_1', 'https://club.test');
    expect(params.line_items).toEqual([{ price: 'price_1', quantity: 1 }]);
    expect(params.restrictions).toEqual({ completed_sessions: { limit: 1 } });
    expect(params.metadata).toEqual(ids);
    expect(params.payment_intent_data).toEqual({ metadata: ids });
  });

  it('monthly dues keep the card for the next months; other items do not', () => {
    const monthly = payLinkParams(order, { category: 'monthly' }, 'price_1', 'https://club.test');
    expect(monthly.payment_intent_data?.setup_future_usage).toBe('off_session');
    const tournament = payLinkParams(order, { category: 'tournament' }, 'p', 'https://club.test');
    expect(tournament.payment_intent_data).not.toHaveProperty('setup_future_usage');
  });

  it("after paying, the family lands on the club's thank-you page for their session", () => {
    const params = payLinkParams(order, { category: 'generic' }, 'price_1', 'https://club.test');
    expect(params.after_completion).toEqual({
      type: 'redirect',
      redirect: { url: 'https://club.test/checkout/thanks?session_id={CHECKOUT_SESSION_ID}' },
    });
  });
});
