import { Catch } from '@nestjs/common';
import type { Response } from 'express';
import { AllExceptionsFilter, type ErrorBody } from '../../common/errors/exception.filter';
import { checkoutPage } from '../checkout-pages';

/**
 * A family who clicked a link gets a page, not JSON, when we cannot answer it now (Stripe
 * unreachable, a race that did not settle, a fault of ours): what to do next, and the request id
 * for the club. Rate limits and bad input keep the usual error body.
 */
@Catch()
export class CheckoutErrorPageFilter extends AllExceptionsFilter {
  protected override send(response: Response, body: ErrorBody): void {
    if (body.statusCode < 500 && body.statusCode !== 409) return super.send(response, body);
    const reference = body.request_id ? ` (reference ${body.request_id})` : '';
    response
      .status(body.statusCode)
      .setHeader('Cache-Control', 'no-store')
      .type('html')
      .send(
        checkoutPage({
          title: 'We could not open the payment page',
          message: `Nothing was charged. Please try the same link again in a few minutes; if it keeps happening, tell your club${reference}.`,
        }),
      );
  }
}
