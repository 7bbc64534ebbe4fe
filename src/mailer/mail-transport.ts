/** A message the mailer has checked and built: every header value is one safe line. */
export interface OutgoingMail {
  from: { name: string; address: string };
  to: string;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  headers: Record<string, string>;
}

export interface DeliveredMail {
  /** The Message-ID header, angle brackets included: what a provider and the ledger quote. */
  messageId: string;
}

/**
 * How a message leaves: SMTP in production, `.eml` files in the outbox by default. Failures
 * reject with a `MailDeliveryError`.
 */
export interface MailTransport {
  readonly kind: 'smtp' | 'outbox';
  /** Where messages go, for the start-up log: never credentials. */
  readonly destination: string;
  /** How many messages it can have on their way at once (an SMTP pool's connections). */
  readonly concurrency: number;
  deliver(mail: OutgoingMail): Promise<DeliveredMail>;
  close(): Promise<void>;
}

export const MAIL_TRANSPORT = Symbol('MailTransport');
