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

export function isRateLimited(error: unknown): boolean {
  return error instanceof Stripe.errors.StripeRateLimitError;
}
