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
}

export const mailConfig = registerAs('mail', () => {
  const env = parseEnvironment(process.env, MailEnvironment);
  return {
    transport: env.MAIL_TRANSPORT ?? (env.SMTP_URL ? 'smtp' : 'outbox'),
    smtpUrl: env.SMTP_URL,
    from: env.MAIL_FROM ?? 'billing@courtside.local',
    minIntervalHours: env.BILLING_EMAIL_MIN_INTERVAL_HOURS ?? 24,
  };
});
export type MailConfig = ReturnType<typeof mailConfig>;
