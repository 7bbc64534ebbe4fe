/** What went wrong, in words a client can branch on; the filter maps each to an HTTP status. */
export type ErrorCode =
  | 'validation_failed'
  | 'unauthorized'
  | 'not_found'
  | 'conflict'
  | 'invalid_state'
  | 'payload_too_large'
  | 'rate_limited'
  | 'payment_provider_rejected'
  | 'payment_provider_unavailable';

export interface FieldProblem {
  field: string;
  problems: string[];
}

export class DomainException extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: FieldProblem[] | Record<string, unknown>,
  ) {
    super(message);
  }

  static notFound(what: string, id: number | string): DomainException {
    return new DomainException('not_found', `${what} ${id} not found`);
  }
}
