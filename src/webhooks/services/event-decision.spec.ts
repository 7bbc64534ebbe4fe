import { idOf, readOrderMetadata } from './event-decision';

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
    expect(readOrderMetadata({ tenant_id: '1', order_id: '2147483647' })).toMatchObject({
      orderId: 2_147_483_647,
    });
  });

  it.each([[undefined], [null], [{}], [{ tenant_id: '3' }], [{ tenant_id: '', order_id: '1' }]])(
    'finds no ids in %j',
    (metadata) => {
      expect(readOrderMetadata(metadata as Record<string, string> | undefined)).toBe(
        'metadata has no Courtside tenant_id and order_id',
      );
    },
  );

  it.each([
    [{ tenant_id: 'abc', order_id: '1' }, 'metadata tenant_id "abc" is not a Courtside id'],
    [{ tenant_id: '1', order_id: '-1' }, 'metadata order_id "-1" is not a Courtside id'],
    [{ tenant_id: '1', order_id: '1.5' }, 'metadata order_id "1.5" is not a Courtside id'],
    [{ tenant_id: '1', order_id: '0' }, 'metadata order_id "0" is not a Courtside id'],
    // Beyond PostgreSQL's integer: the database would refuse to look them up.
    [
      { tenant_id: '1', order_id: '2147483648' },
      'metadata order_id "2147483648" is not a Courtside id',
    ],
    [
      { tenant_id: '9999999999', order_id: '1' },
      'metadata tenant_id "9999999999" is not a Courtside id',
    ],
    [
      { tenant_id: '1', order_id: '99999999999' },
      'metadata order_id "99999999999" is not a Courtside id',
    ],
    [
      { tenant_id: '1', order_id: '1'.repeat(60) },
      `metadata order_id "${'1'.repeat(40)}…" is not a Courtside id`,
    ],
  ])('refuses malformed or out-of-range ids: %j', (metadata, note) => {
    expect(readOrderMetadata(metadata)).toBe(note);
  });

  it('leaves out a player or product id it cannot read, as it is only compared', () => {
    expect(
      readOrderMetadata({
        tenant_id: '1',
        order_id: '2',
        player_id: '9999999999',
        product_id: 'x',
      }),
    ).toEqual({ tenantId: 1, orderId: 2, playerId: undefined, productId: undefined });
  });
});

describe('reading an id that Stripe may have expanded', () => {
  it.each<[unknown, string | null]>([
    ['pi_1', 'pi_1'],
    [{ id: 'pi_1', object: 'payment_intent' }, 'pi_1'],
    [null, null],
    [undefined, null],
    ['', null],
    [{ id: 7 }, null],
    [7, null],
  ])('%j → %j', (value, id) => {
    expect(idOf(value)).toBe(id);
  });
});
