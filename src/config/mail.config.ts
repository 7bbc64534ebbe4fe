import { registerAs } from '@nestjs/config';
import { IsEmail, IsIn, IsInt, IsOptional, Matches, Min } from 'class-validator';
import { parseEnvironment } from './environment';

export class MailEnvironment {
  @IsOptional()
  @Matches(/^smtps?:\/\//, { message: 'SMTP_URL must be an smtp:// or smtps:// URL' })
  SMTP_URL?: string;
  @IsOptional() @IsIn(['smtp', 'outbox']) MAIL_TRANSPORT?: 'smtp' | 'outbox';
  @IsOptional() @IsEmail() MAIL_FROM?: string;
  @IsOptional() @IsInt() @Min(0) BILLING_EMAIL_MIN_INTERVAL_HOURS?: number;
  @IsOptional() @IsInt() @Min(100) SMTP_CONNECTION_TIMEOUT_MS?: number;
  @IsOptional() @IsInt() @Min(100) SMTP_GREETING_TIMEOUT_MS?: number;
  @IsOptional() @IsInt() @Min(100) SMTP_SOCKET_TIMEOUT_MS?: number;
}

export const mailConfig = registerAs('mail', () => {
  const env = parseEnvironment(process.env, MailEnvironment);
  return {
    transport: env.MAIL_TRANSPORT ?? (env.SMTP_URL ? 'smtp' : 'outbox'),
    smtpUrl: env.SMTP_URL,
    from: env.MAIL_FROM ?? 'billing@courtside.local',
    minIntervalHours: env.BILLING_EMAIL_MIN_INTERVAL_HOURS ?? 24,
    /**
     * How long a send waits on a mail server that does not answer (nodemailer's own defaults are
     * 2 min, 30 s and 10 min): a hung server fails the message instead of holding a worker.
     */
    smtpTimeouts: {
      /** To connect and finish the handshake (greeting, EHLO, STARTTLS, login). */
      connectionMs: env.SMTP_CONNECTION_TIMEOUT_MS ?? 10_000,
      /** For the server's greeting once connected. */
      greetingMs: env.SMTP_GREETING_TIMEOUT_MS ?? 10_000,
      /** Of silence mid-conversation, e.g. waiting for the answer to a message's data. */
      socketMs: env.SMTP_SOCKET_TIMEOUT_MS ?? 30_000,
    },
  };
});
export type MailConfig = ReturnType<typeof mailConfig>;
