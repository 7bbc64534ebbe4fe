import { createTransport, Transporter } from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool';
import type { MailConfig } from '../../config';
import { MailDeliveryError } from '../mail.errors';
import type { DeliveredMail, MailTransport, OutgoingMail } from '../mail-transport';
import { toNodemailerMessage } from './nodemailer-message';
import { SendWindow } from './send-window';

/**
 * A pool of SMTP connections that stays under a per-second send limit: providers throttle or
 * block a burst, and a blast to a hundred families is one. Query parameters of SMTP_URL
 * (`?rateLimit=5&maxConnections=2`) override these defaults and the configured timeouts.
 */
export const SMTP_POOL_DEFAULTS = {
  pool: true,
  maxConnections: 3,
  maxMessages: 100,
  rateDelta: 1000,
  rateLimit: 10,
} as const;

export class SmtpTransport implements MailTransport {
  readonly kind = 'smtp';
  readonly destination: string;
  readonly concurrency: number;
  private readonly transporter: Transporter<SMTPPool.SentMessageInfo>;
  private readonly window: SendWindow;

  constructor(smtpUrl: string, timeouts: MailConfig['smtpTimeouts']) {
    this.transporter = createTransport({
      ...SMTP_POOL_DEFAULTS,
      connectionTimeout: timeouts.connectionMs,
      greetingTimeout: timeouts.greetingMs,
      socketTimeout: timeouts.socketMs,
      url: smtpUrl,
    });
    // The URL's query may have changed any of them (and arrives as text).
    const options = this.transporter.options as SMTPPool.Options;
    const rateLimit = Number(options.rateLimit) || 0;
    const rateDelta = Number(options.rateDelta) || SMTP_POOL_DEFAULTS.rateDelta;
    this.window = new SendWindow(rateLimit, rateDelta);
    this.concurrency = Number(options.maxConnections) || SMTP_POOL_DEFAULTS.maxConnections;
    const { protocol, host } = new URL(smtpUrl);
    this.destination =
      `SMTP at ${protocol}//${host} (pooled, ${this.concurrency} connections, ` +
      (rateLimit ? `at most ${rateLimit} messages per ${rateDelta} ms)` : 'no send limit)');
  }

  async deliver(mail: OutgoingMail): Promise<DeliveredMail> {
    let info: SMTPPool.SentMessageInfo;
    await this.window.take();
    try {
      info = await this.transporter.sendMail(toNodemailerMessage(mail));
    } catch (error) {
      throw deliveryError(error, mail.to);
    }
    if (info.rejected.length > 0) {
      throw new MailDeliveryError(
        `SMTP server rejected ${mail.to}: ${info.response}`,
        mail.to,
        true,
      );
    }
    return { messageId: info.messageId };
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}

interface SmtpErrorFields {
  code?: string;
  timeoutType?: string;
  responseCode?: number;
  response?: string;
  permanent?: boolean;
}

/**
 * What a failed send tells the club. A server that stopped answering once the connection was
 * open (a socket timeout, a dropped connection) may have taken the message before it went
 * quiet: the failure says so, as an interrupted send does, so nobody retries it unawares.
 */
export function deliveryError(error: unknown, recipient: string): MailDeliveryError {
  const smtp = (error ?? {}) as SmtpErrorFields;
  const message = error instanceof Error ? error.message : String(error);
  const midSend =
    smtp.timeoutType === 'SOCKET_TIMEOUT' ||
    (smtp.code === 'ECONNECTION' && /closed unexpectedly/i.test(message));
  if (midSend)
    return new MailDeliveryError(
      `Mail to ${recipient} may have reached the family: the mail server stopped answering mid-send (${message}); check before retrying`,
      recipient,
      false,
    );
  const permanent =
    typeof smtp.permanent === 'boolean'
      ? smtp.permanent
      : smtp.responseCode !== undefined && smtp.responseCode >= 500;
  return new MailDeliveryError(
    `Mail to ${recipient} not delivered: ${message}`,
    recipient,
    permanent,
    smtp.responseCode,
    smtp.response,
  );
}
