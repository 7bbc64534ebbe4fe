import type { AppConfig, MailConfig } from '../../config';
import type { MailTransport } from '../mail-transport';
import { OutboxTransport } from './outbox.transport';
import { SmtpTransport } from './smtp.transport';

export function createMailTransport(mail: MailConfig, app: AppConfig): MailTransport {
  if (mail.transport === 'smtp') {
    if (!mail.smtpUrl) throw new Error('MAIL_TRANSPORT=smtp needs SMTP_URL');
    return new SmtpTransport(mail.smtpUrl, mail.smtpTimeouts);
  }
  return new OutboxTransport(app.dataDir);
}
