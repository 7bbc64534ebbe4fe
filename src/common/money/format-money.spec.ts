import { formatMoney } from './format-money';

describe('formatMoney', () => {
  it.each([
    [12_500, 'usd', '$125.00'],
    [12_500, 'USD', '$125.00'],
    [5, 'usd', '$0.05'],
    [0, 'usd', '$0.00'],
    [123_456_789, 'usd', '$1,234,567.89'],
    [-250, 'eur', '-€2.50'],
    [1_500, 'jpy', '¥1,500'],
    [1_234, 'kwd', 'KWD 1.234'],
    [9_999, 'cad', 'CA$99.99'],
  ])('formats %i minor units of %s as %s', (amount, currency, expected) => {
    expect(formatMoney(amount, currency)).toBe(expected);
  });

  it('never passes through a float: the largest safe amount keeps every digit', () => {
    expect(formatMoney(Number.MAX_SAFE_INTEGER, 'usd')).toBe('$90,071,992,547,409.91');
  });

  it.each([12.5, Number.NaN, Number.POSITIVE_INFINITY])(
    'refuses %p: amounts are integer minor units',
    (amount) => {
      expect(() => formatMoney(amount, 'usd')).toThrow(RangeError);
    },
  );

  it.each(['', 'us', 'dollars', 'u$d'])('refuses the currency %j', (currency) => {
    expect(() => formatMoney(100, currency)).toThrow(RangeError);
  });
});
