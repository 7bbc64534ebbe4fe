import { Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Tenant } from '../../club/entities/tenant.entity';
import { BrandedMailer } from '../../mail/branded-mailer.service';
import { MailContentRefused, MailDeliveryError } from '../../mail/mail.errors';
import { recordDelivery } from '../email-log.queries';
import type { EmailMessage } from '../entities/email-message.entity';

/**
 * Hands one claimed (`sending`) message to the mailer and records what the server said. The
 * claim was committed first, so a worker that dies here leaves the row `sending`: possibly
 * delivered, and never sent again without an admin's retry.
 */
@Injectable()
export class MessageDeliveryService {
  private readonly logger = new Logger(MessageDeliveryService.name);

  constructor(private readonly mailer: BrandedMailer) {}

  async deliver(manager: EntityManager, message: EmailMessage, club: Tenant): Promise<void> {
    try {
      const delivered = await this.mailer.send({
        to: message.recipient!,
        subject: message.subject,
        html: message.html ?? '',
        text: message.textBody ?? '',
        fromName: club.fromName,
        replyTo: club.replyTo,
        headers: message.blastId ? { 'X-Courtside-Blast': String(message.blastId) } : {},
      });
      await recordDelivery(manager, message.id, { providerMessageId: delivered.messageId });
    } catch (error) {
      if (!(error instanceof MailDeliveryError || error instanceof MailContentRefused)) throw error;
      this.logger.warn(
        { messageId: message.id, blastId: message.blastId, error: error.message },
        'Mail not delivered',
      );
      await recordDelivery(manager, message.id, { error: error.message });
    }
  }
}
