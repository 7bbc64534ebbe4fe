import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { Tenant } from '../../club/entities/tenant.entity';
import { OWED } from '../../orders/order-status';
import { EmailMessage } from '../entities/email-message.entity';
import { REMINDER_NO_LONGER_DUE } from './reminders.repository';

/** How long a `sending` row may wait for its worker before it counts as interrupted. */
const INTERRUPTED_AFTER = '5 minutes';

/** What a worker needs to send a claimed message. */
export type ClaimedMessage = Pick<
  EmailMessage,
  'id' | 'blastId' | 'recipient' | 'subject' | 'html' | 'textBody'
>;

/** What the mail server said about one claimed message. */
export type DeliveryOutcome = { messageId: number } & (
  { providerMessageId: string } | { error: string }
);

interface ClaimedRow {
  id: number;
  blast_id: number | null;
  recipient: string | null;
  subject: string;
  html: string | null;
  text_body: string | null;
}

/**
 * Sending any message, a blast's or a receipt: the claim that commits a row as `sending` before
 * the mail server sees it, and the record of what the server said. Every statement is
 * tenant-scoped and runs outside any transaction, so each claim is committed at once.
 */
@Injectable()
export class EmailMessagesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The club its messages go out from: its name, reply-to and brand (the club's tenants row). */
  sender(tenantId: number): Promise<Tenant> {
    return this.db.getRepository(Tenant).findOneByOrFail({ id: tenantId });
  }

  /**
   * Claims up to `limit` queued messages of a blast, oldest first, before any of them is sent,
   * so a second worker skips them and a crash never resends them.
   */
  claimBlastMessages(tenantId: number, blastId: number, limit: number): Promise<ClaimedMessage[]> {
    return this.claim(
      `SELECT id FROM email_messages WHERE tenant_id = $1 AND blast_id = $2 AND status = 'queued'
       ORDER BY id LIMIT $3`,
      [tenantId, blastId, limit],
    );
  }

  /** Claims a receipt that has not gone out yet; a concurrent or replayed job finds nothing. */
  async claimReceipt(tenantId: number, orderId: number): Promise<ClaimedMessage | undefined> {
    const [message] = await this.claim(
      `SELECT id FROM email_messages WHERE tenant_id = $1 AND receipt_order_id = $2 AND status = 'queued'`,
      [tenantId, orderId],
    );
    return message;
  }

  /** Claims a one-off family mail (a declined charge, a reminder) written under its key. */
  async claimKeyed(tenantId: number, messageKey: string): Promise<ClaimedMessage | undefined> {
    const [message] = await this.claim(
      `SELECT id FROM email_messages WHERE tenant_id = $1 AND message_key = $2 AND status = 'queued'`,
      [tenantId, messageKey],
    );
    return message;
  }

  /**
   * Claims up to `limit` queued reminders of a club whose every order is still owed with an
   * active link: checked in the claim itself, so a payment that lands before it stops the mail.
   */
  claimReminders(tenantId: number, limit: number): Promise<ClaimedMessage[]> {
    return this.claim(
      `SELECT m.id FROM email_messages m
       WHERE m.tenant_id = $1 AND m.email_type = 'reminder' AND m.status = 'queued'
         AND NOT ${REMINDER_NO_LONGER_DUE}
       ORDER BY m.id LIMIT $2`,
      [tenantId, limit, OWED],
    );
  }

  /** Records what the mail server said about claimed messages, in one statement. */
  async recordDeliveries(tenantId: number, outcomes: readonly DeliveryOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    await this.db.query(
      `UPDATE email_messages m
       SET status = CASE WHEN o.error IS NULL THEN 'sent' ELSE 'failed' END::email_message_status,
           sent_at = CASE WHEN o.error IS NULL THEN now() ELSE m.sent_at END,
           provider_message_id = coalesce(o.provider_message_id, m.provider_message_id),
           error = o.error
       FROM unnest($2::int[], $3::text[], $4::text[]) AS o(id, provider_message_id, error)
       WHERE m.tenant_id = $1 AND m.id = o.id AND m.status = 'sending'`,
      [
        tenantId,
        outcomes.map((outcome) => outcome.messageId),
        outcomes.map((outcome) =>
          'providerMessageId' in outcome ? outcome.providerMessageId : null,
        ),
        outcomes.map((outcome) => ('error' in outcome ? outcome.error : null)),
      ],
    );
  }

  /**
   * Messages whose worker died mid-send may or may not have reached the family: they become
   * failed with a reason that says so, and are sent again only when an admin asks (retry-failed).
   */
  async markInterrupted(tenantId: number, blastId: number): Promise<number> {
    const [, count] = (await this.db.query(
      `UPDATE email_messages
       SET status = 'failed', error = 'interrupted while sending: it may have reached the family; check before retrying'
       WHERE tenant_id = $1 AND blast_id = $2 AND status = 'sending' AND claimed_at < now() - interval '${INTERRUPTED_AFTER}'`,
      [tenantId, blastId],
    )) as [unknown, number];
    return count;
  }

  /** The one claim: the `picked` queued rows become `sending`, skipping rows another worker holds. */
  private async claim(picked: string, params: unknown[]): Promise<ClaimedMessage[]> {
    const [rows] = (await this.db.query(
      `WITH picked AS (${picked} FOR UPDATE SKIP LOCKED)
       UPDATE email_messages m SET status = 'sending', claimed_at = now(), attempts = m.attempts + 1
       FROM picked WHERE m.id = picked.id
       RETURNING m.id, m.blast_id, m.recipient, m.subject, m.html, m.text_body`,
      params,
    )) as [ClaimedRow[], number];
    return rows
      .map((row) => ({
        id: row.id,
        blastId: row.blast_id,
        recipient: row.recipient,
        subject: row.subject,
        html: row.html,
        textBody: row.text_body,
      }))
      .sort((a, b) => a.id - b.id);
  }
}
