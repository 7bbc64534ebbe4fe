import type { RenderedMail } from '../mailer/branded-mailer.service';
import type { EmailMessage } from './entities/email-message.entity';

/** One family's rendered mail as its message row (a receipt, a "card refused" notice). */
export type FamilyMessage = Pick<
  EmailMessage,
  'parentId' | 'recipient' | 'subject' | 'html' | 'textBody' | 'status' | 'skipReason'
>;

/** Queued for the family's address, or kept as skipped when the family has none. */
export function familyMessage(
  parentId: number,
  email: string | null,
  rendered: RenderedMail,
): FamilyMessage {
  return {
    parentId,
    recipient: email,
    subject: rendered.subject,
    html: rendered.html,
    textBody: rendered.text,
    status: email ? 'queued' : 'skipped',
    skipReason: email ? null : 'no_email',
  };
}
