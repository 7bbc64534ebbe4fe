import type { SendMailOptions } from 'nodemailer';
import type { OutgoingMail } from '../mail-transport';

export function toNodemailerMessage(mail: OutgoingMail): SendMailOptions {
  return {
    from: mail.from,
    to: mail.to,
    replyTo: mail.replyTo,
    subject: mail.subject,
    html: mail.html,
    text: mail.text,
    headers: mail.headers,
    // A message is built from strings only: nodemailer never reads a file or a URL for it.
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
