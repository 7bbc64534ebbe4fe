import { DomainException } from '../common/errors/domain.exception';

/**
 * A message the mailer will not build or send: a header value with a line break, a pay link
 * that is not http(s), an address that is not one address. Names the field; never retried.
 */
export class MailContentRefused extends DomainException {
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super('validation_failed', `Mail refused: ${field} ${reason}`, [{ field, problems: [reason] }]);
  }
}

/**
 * The transport could not hand a message over. `permanent` (a 5xx reply, such as an unknown
 * mailbox) means retrying the same message will not help; otherwise it may.
 */
export class MailDeliveryError extends Error {
  constructor(
    message: string,
    readonly recipient: string,
    readonly permanent: boolean,
    readonly responseCode?: number,
    readonly smtpResponse?: string,
  ) {
    super(message);
    this.name = 'MailDeliveryError';
  }
}
