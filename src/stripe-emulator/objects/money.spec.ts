import { formatMoney } from './money';

describe('formatMoney', () => {
  it.each([
    [12500, 'usd', '$125.00'],
    [5, 'usd', '$0.05'],
    [123456789, 'usd', '$1,234,567.89'],
    [1500, 'jpy', '¥1,500'],
    [1234, 'kwd', 'KWD 1.234'],
    [-250, 'eur', '-€2.50'],
  ])('formats %i minor units of %s as %s', (amount, currency, expected) => {
    expect(formatMoney(amount, currency).replace(/\u00a0/g, ' ')).toBe(expected);
  });
});
