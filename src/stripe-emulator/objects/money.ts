/** Currencies whose minor unit is the major unit (Stripe's zero-decimal list), or a thousandth. */
const ZERO_DECIMAL = new Set(
  'bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf'.split(' '),
);
const THREE_DECIMAL = new Set('bhd jod kwd omr tnd'.split(' '));

function exponentOf(currency: string): number {
  if (ZERO_DECIMAL.has(currency)) return 0;
  return THREE_DECIMAL.has(currency) ? 3 : 2;
}

/**
 * `12500, 'usd'` → `$125.00`. The decimal is built from the integer's digits and handed to Intl
 * as a string, so no amount ever passes through a float.
 */
export function formatMoney(amountMinor: number, currency: string): string {
  const code = currency.toLowerCase();
  const exponent = exponentOf(code);
  const digits = String(Math.abs(amountMinor)).padStart(exponent + 1, '0');
  const decimal = exponent ? `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}` : digits;
  const signed = `${amountMinor < 0 ? '-' : ''}${decimal}` as `${number}`;
  try {
    return new Intl.NumberFormat('en-US', {
      style: 'currency',
      currency: code.toUpperCase(),
      minimumFractionDigits: exponent,
      maximumFractionDigits: exponent,
    }).format(signed);
  } catch {
    return `${signed} ${code.toUpperCase()}`;
  }
}
