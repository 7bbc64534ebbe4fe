/** Currencies whose Stripe minor unit is the major unit, or a thousandth of it. */
const ZERO_DECIMAL = new Set(
  'bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf'.split(' '),
);
const THREE_DECIMAL = new Set('bhd jod kwd omr tnd'.split(' '));

const formatters = new Map<string, Intl.NumberFormat>();

function formatterFor(code: string, exponent: number): Intl.NumberFormat {
  let formatter = formatters.get(code);
  if (!formatter) {
    formatter = new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency: code.toUpperCase(),
      minimumFractionDigits: exponent,
      maximumFractionDigits: exponent,
    });
    formatters.set(code, formatter);
  }
  return formatter;
}

/**
 * `formatMoney(12500, 'usd')` → `$125.00`. Amounts are integer minor units as Stripe counts
 * them; the decimal is built from the integer's digits, so no amount passes through a float.
 */
export function formatMoney(amountMinor: number, currency: string): string {
  if (!Number.isSafeInteger(amountMinor)) {
    throw new RangeError(`Amount must be an integer number of minor units, got ${amountMinor}`);
  }
  const code = currency.toLowerCase();
  if (!/^[a-z]{3}$/.test(code)) throw new RangeError(`Not an ISO currency code: ${currency}`);
  const exponent = ZERO_DECIMAL.has(code) ? 0 : THREE_DECIMAL.has(code) ? 3 : 2;
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, '0');
  const decimal = exponent ? `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}` : digits;
  const signed = `${amountMinor < 0 ? '-' : ''}${decimal}` as `${number}`;
  // Intl puts a no-break space between a code and the number ("CA$" does not, "KWD 1.234"
  // does); a plain space reads the same and survives every text part.
  return formatterFor(code, exponent)
    .format(signed)
    .replace(/\u00a0/g, ' ');
}
