import Stripe from 'stripe';
import { isTransient } from './stripe-errors';

/** An error as the SDK makes it from Stripe's answer. */
const answered = (
  statusCode: number,
  error: { type?: string; code?: string } = {},
  headers: Record<string, string> = {},
) =>
  Stripe.errors.StripeError.generate({
    statusCode,
    type: 'api_error',
    message: 'from Stripe',
    headers,
    ...error,
  } as Parameters<typeof Stripe.errors.StripeError.generate>[0]);

describe('isTransient: which Stripe failures are tried again under the same idempotency key', () => {
  it.each([
    ['a 500', answered(500)],
    ['a 503', answered(503)],
    ['a 429 rate limit', answered(429, { type: 'invalid_request_error', code: 'rate_limit' })],
    [
      'a 409: another request with this key is still running',
      answered(409, { type: 'invalid_request_error', code: 'idempotency_key_in_use' }),
    ],
    [
      'a reset or timed-out connection',
      new Stripe.errors.StripeConnectionError({ message: 'socket hang up' }),
    ],
    [
      'a 4xx that Stripe itself marks Stripe-Should-Retry: true (a lock timeout)',
      answered(
        400,
        { type: 'invalid_request_error', code: 'lock_timeout' },
        { 'stripe-should-retry': 'true' },
      ),
    ],
  ])('retries %s', (_what, error) => {
    expect(isTransient(error)).toBe(true);
  });

  it.each([
    [
      'a parameter error',
      answered(400, { type: 'invalid_request_error', code: 'parameter_unknown' }),
    ],
    [
      'a missing object',
      answered(404, { type: 'invalid_request_error', code: 'resource_missing' }),
    ],
    ['a card error', answered(402, { type: 'card_error', code: 'card_declined' })],
    [
      'a key reused with other parameters',
      answered(400, { type: 'idempotency_error', code: 'idempotency_error' }),
    ],
    ['a bad API key', answered(401, { type: 'invalid_request_error' })],
    ['a permission error', answered(403, { type: 'invalid_request_error' })],
    [
      'a 500 Stripe marks Stripe-Should-Retry: false (it would replay the same answer)',
      answered(500, {}, { 'stripe-should-retry': 'false' }),
    ],
    ['an error that is not from Stripe', new Error('a bug of ours')],
    ['nothing thrown at all', undefined],
  ])('never retries %s', (_what, error) => {
    expect(isTransient(error)).toBe(false);
  });
});
