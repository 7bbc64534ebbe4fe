import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The worker claims a blast's next queued messages in id order: this index holds exactly the
 * queued ones, so a claim reads the few rows it takes instead of walking past every message
 * already sent (which made a 10,000-family blast quadratic).
 */
export class QueuedBlastMessagesIndex1764300000000 implements MigrationInterface {
  name = 'QueuedBlastMessagesIndex1764300000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(
      `CREATE INDEX email_messages_blast_queued_idx ON email_messages (tenant_id, blast_id, id)
       WHERE status = 'queued' AND blast_id IS NOT NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX email_messages_blast_queued_idx`);
  }
}
