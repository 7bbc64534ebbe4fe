export type StripeErrorType =
  'invalid_request_error' | 'api_error' | 'idempotency_error' | 'card_error';

export interface StripeErrorBody {
  error: {
    type: StripeErrorType;
    code: string;
    message: string;
    param?: string;
    doc_url: string;
    [detail: string]: unknown;
  };
}

/**
 * An error the API answers with, in Stripe's body shape. `code` is always set: Stripe's own code
 * where Stripe has one, otherwise a descriptive one (`parameter_invalid`, `api_key_invalid`, …).
 */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: StripeErrorType,
    readonly code: string,
    message: string,
    readonly param?: string,
    /** False for a rejection before any work began: Stripe keeps no idempotent result for it. */
    readonly replayable = true,
    /** More fields of the body: a card error's `decline_code`, `charge`, `payment_intent`, … */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  toBody(): StripeErrorBody {
    return {
      error: {
        ...this.details,
        type: this.type,
        code: this.code,
        message: this.message,
        ...(this.param !== undefined && { param: this.param }),
        doc_url: `https://stripe.com/docs/error-codes/${this.code.replace(/_/g, '-')}`,
      },
    };
  }
}

const invalid = (
  status: number,
  code: string,
  message: string,
  param?: string,
  replayable = true,
) => new StripeApiError(status, 'invalid_request_error', code, message, param, replayable);

/** Parameter problems are found before any work begins, so none of them is replayable. */
export const paramErrors = {
  unknown: (param: string) =>
    invalid(400, 'parameter_unknown', `Received unknown parameter: ${param}`, param, false),
  missing: (param: string) =>
    invalid(400, 'parameter_missing', `Missing required param: ${param}.`, param, false),
  empty: (param: string) =>
    invalid(
      400,
      'parameter_invalid_empty',
      `You passed an empty string for '${param}'. We assume empty values are an attempt to unset a parameter; however '${param}' cannot be unset. You should remove '${param}' from your request or supply a non-empty value.`,
      param,
      false,
    ),
  integer: (param: string, detail: string) =>
    invalid(400, 'parameter_invalid_integer', detail, param, false),
  url: (param: string) => invalid(400, 'url_invalid', 'Not a valid URL', param, false),
  exclusive: (params: string[]) =>
    invalid(
      400,
      'parameters_exclusive',
      `You may only specify one of these parameters: ${params.join(', ')}.`,
      params[0],
      false,
    ),
  /** A value of the right kind that Stripe still refuses (enum, range, length, …). */
  invalid: (param: string, message: string) =>
    invalid(400, 'parameter_invalid', message, param, false),
};

export const apiErrors = {
  resourceMissing: (kind: string, id: string, param = 'id') =>
    invalid(param === 'id' ? 404 : 400, 'resource_missing', `No such ${kind}: '${id}'`, param),
  unrecognizedUrl: (method: string, path: string) =>
    invalid(
      404,
      'resource_missing',
      `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      undefined,
      false,
    ),
  /** A request that is well-formed but not allowed in the object's current state. */
  state: (code: string, message: string, param?: string) => invalid(400, code, message, param),
  authentication: (message: string) => invalid(401, 'api_key_invalid', message, undefined, false),
  rateLimited: () =>
    invalid(
      429,
      'rate_limit',
      'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
      undefined,
      false,
    ),
  internal: () =>
    new StripeApiError(
      500,
      'api_error',
      'api_error',
      'An unknown error occurred (injected by the Stripe emulator)',
      undefined,
      false,
    ),
  idempotencyMismatch: (key: string, detail: string) =>
    new StripeApiError(
      400,
      'idempotency_error',
      'idempotency_error',
      `Keys for idempotent requests can only be used ${detail}. Try using a key other than '${key}' if you meant to execute a different request.`,
      undefined,
      false,
    ),
  idempotencyInUse: () =>
    invalid(
      409,
      'idempotency_key_in_use',
      'There is currently another in-progress request using this Stripe-Idempotency-Key. Please try again later.',
      undefined,
      false,
    ),
  idempotencyKeyTooLong: () =>
    invalid(
      400,
      'idempotency_key_too_long',
      'Idempotency-Key must be at most 255 characters long.',
      undefined,
      false,
    ),
};
