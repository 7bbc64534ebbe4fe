import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const BLAST_STATUSES = ['previewed', 'sending', 'sent', 'failed', 'cancelled'] as const;
export type BlastStatus = (typeof BLAST_STATUSES)[number];

/** One approved (or merely previewed) mailing of a registry query to the families it finds. */
@Entity('email_blasts')
export class EmailBlast {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS' }) id!: number;
  @Column({ name: 'tenant_id' }) tenantId!: number;
  @Column({ name: 'query_name' }) queryName!: string;
  @Column({ type: 'jsonb' }) params!: Record<string, unknown>;
  @Column({ name: 'test_email', type: 'text', nullable: true }) testEmail!: string | null;
  @Column({ name: 'redirect_to', type: 'text', nullable: true }) redirectTo!: string | null;
  @Column() force!: boolean;
  @Column({ type: 'enum', enum: BLAST_STATUSES, enumName: 'email_blast_status' })
  status!: BlastStatus;
  @Column({ name: 'recipient_count' }) recipientCount!: number;
  @Column({ name: 'skipped_count' }) skippedCount!: number;
  @Column({ name: 'sent_count' }) sentCount!: number;
  @Column({ name: 'failed_count' }) failedCount!: number;
  @Column({ name: 'recipients_digest' }) recipientsDigest!: string;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;
  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true }) approvedAt!: Date | null;
  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true }) finishedAt!: Date | null;
}
