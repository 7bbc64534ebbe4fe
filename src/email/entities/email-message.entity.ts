import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'failed', 'skipped'] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * One family's message: a blast's (unique per blast and parent) or a receipt (unique per
 * order). A worker claims a `queued` row by committing it as `sending` before the mail server
 * sees it; only then is it sent, so a crash can leave a row "maybe delivered", never resent.
 */
@Entity('email_messages')
export class EmailMessage {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS' }) id!: number;
  @Column({ name: 'tenant_id' }) tenantId!: number;
  @Column({ name: 'blast_id', type: 'integer', nullable: true }) blastId!: number | null;
  @Column({ name: 'receipt_order_id', type: 'integer', nullable: true })
  receiptOrderId!: number | null;
  /** A one-off family mail (a reminder, a refused card) is written once under its key, unique per club. */
  @Column({ name: 'message_key', type: 'text', nullable: true }) messageKey!: string | null;
  @Column({ name: 'parent_id' }) parentId!: number;
  @Column({ name: 'email_type' }) emailType!: string;
  @Column({ type: 'text', nullable: true }) recipient!: string | null;
  @Column() subject!: string;
  @Column({ type: 'text', nullable: true }) html!: string | null;
  @Column({ name: 'text_body', type: 'text', nullable: true }) textBody!: string | null;
  @Column({ type: 'enum', enum: MESSAGE_STATUSES, enumName: 'email_message_status' })
  status!: MessageStatus;
  @Column({ name: 'skip_reason', type: 'text', nullable: true }) skipReason!: string | null;
  /** For a statement, the statement's digest: "was this very statement already sent?" */
  @Column({ name: 'content_digest' }) contentDigest!: string;
  @Column({ name: 'provider_message_id', type: 'text', nullable: true })
  providerMessageId!: string | null;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  @Column() attempts!: number;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt!: Date | null;
  @Column({ name: 'claimed_at', type: 'timestamptz', nullable: true }) claimedAt!: Date | null;
}
