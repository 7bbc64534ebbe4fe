import Stripe from 'stripe';
import { DomainException } from '../common/errors/domain.exception';

/**
 * What Stripe said, in our words. A rejected parameter names the parameter (S3) and is never
 * retried; only rate limits and transport failures are worth another try.
 */
export function fromStripeError(error: unknown, operation: string): DomainException {
  if (error instanceof Stripe.errors.StripeError) {
    if (
      error instanceof Stripe.errors.StripeConnectionError ||
      error instanceof Stripe.errors.StripeAPIError
    ) {
      return new DomainException(
        'payment_provider_unavailable',
        `Stripe could not be reached for ${operation}; try again`,
      );
    }
    if (error instanceof Stripe.errors.StripeRateLimitError) {
      return new DomainException(
        'payment_provider_unavailable',
        `Stripe is rate limiting ${operation}; try again shortly`,
      );
    }
    const param = error.param ? ` (parameter ${error.param})` : '';
    return new DomainException(
      'payment_provider_rejected',
      `Stripe rejected ${operation}${param}: ${error.message}`,
      {
        stripe_code: error.code,
        param: error.param,
        stripe_request_id: error.requestId,
      },
    );
  }
  return new DomainException(
    'payment_provider_unavailable',
    `Stripe could not be reached for ${operation}; try again`,
  );
}

/**
 * Whether the same request, sent again under the same idempotency key, may succeed: a lost or
 * timed-out connection, a 5xx, a 409 (another request with this key is still running) or a 429.
 * Never a 4xx that Stripe means (a parameter or card error, a key reused with other parameters),
 * and never what Stripe marks `Stripe-Should-Retry: false` (its idempotency layer would replay
 * the same failure).
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Stripe.errors.StripeError)) return false;
  const advice = error.headers?.['stripe-should-retry'];
  if (advice === 'false') return false;
  if (advice === 'true') return true;
  if (
    error instanceof Stripe.errors.StripeConnectionError ||
    error instanceof Stripe.errors.StripeRateLimitError
  )
    return true;
  const status = error.statusCode ?? 0;
  return status === 409 || status >= 500;
}
