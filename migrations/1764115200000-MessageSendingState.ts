import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A message is marked `sending` (and when) in its own committed step before the mail server
 * sees it, so a worker that dies mid-send leaves a visible "maybe delivered" row instead of a
 * queued one that the next worker would send again.
 */
export class MessageSendingState1764115200000 implements MigrationInterface {
  name = 'MessageSendingState1764115200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TYPE email_message_status ADD VALUE IF NOT EXISTS 'sending'`);
    await db.query(`ALTER TABLE email_messages ADD COLUMN claimed_at timestamptz`);
  }

  async down(db: QueryRunner): Promise<void> {
    // PostgreSQL cannot drop an enum value; 'sending' stays in email_message_status, unused.
    await db.query(`UPDATE email_messages SET status = 'failed' WHERE status = 'sending'`);
    await db.query(`ALTER TABLE email_messages DROP COLUMN claimed_at`);
  }
}
