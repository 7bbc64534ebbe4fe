import { readOrderMetadata } from './event-decision';

describe('reading Courtside ids from Stripe metadata', () => {
  it('reads well-formed ids', () => {
    expect(
      readOrderMetadata({ tenant_id: '3', order_id: '42', player_id: '7', product_id: '9' }),
    ).toEqual({
      tenantId: 3,
      orderId: 42,
      playerId: 7,
      productId: 9,
    });
  });

  it.each([
    [undefined],
    [{}],
    [{ tenant_id: '3' }],
    [{ tenant_id: 'abc', order_id: '1' }],
    [{ tenant_id: '1', order_id: '-1' }],
    [{ tenant_id: '1', order_id: '1.5' }],
    [{ tenant_id: '1', order_id: '99999999999' }],
  ])('refuses missing or malformed ids: %j', (metadata) => {
    expect(typeof readOrderMetadata(metadata as Record<string, string> | undefined)).toBe('string');
  });
});
