import { parse } from 'qs';
import { StripeApiError } from '../stripe-api-error';

/** A decoded form value: bracketed keys become nested objects, indexed keys arrays. */
export type FormValue = string | FormValue[] | { [key: string]: FormValue };
export type FormParams = { [key: string]: FormValue };

/**
 * Decodes `application/x-www-form-urlencoded` exactly as the SDK writes it:
 * `line_items[0][price]=price_1&metadata[order_id]=42` → `{ line_items: [{ price }], metadata }`.
 * An empty value stays `''`, which Stripe reads as "unset".
 */
export function parseForm(text: string): FormParams {
  let parsed: unknown;
  try {
    parsed = parse(text, {
      depth: 20,
      arrayLimit: 100,
      parameterLimit: 5000,
      throwOnLimitExceeded: true,
      plainObjects: true,
      allowPrototypes: false,
    });
  } catch {
    throw new StripeApiError(
      400,
      'invalid_request_error',
      'parameter_invalid',
      'The request has too many parameters.',
      undefined,
      false,
    );
  }
  return toPlain(parsed) as FormParams;
}

/** qs builds null-prototype objects; hand out ordinary ones so they compare and print normally. */
function toPlain(value: unknown): FormValue {
  if (Array.isArray(value)) return value.map(toPlain);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, toPlain(inner)]));
  }
  return String(value);
}
