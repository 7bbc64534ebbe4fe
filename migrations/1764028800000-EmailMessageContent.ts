import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Email: each message keeps what it says (so a resumed blast sends exactly what was approved and
 * the admin can open it), a blast remembers whether it was forced past the re-send interval, and
 * a receipt is one message per paid order: receipts have no blast, so their own partial unique
 * index guards them.
 */
export class EmailMessageContent1764028800000 implements MigrationInterface {
  name = 'EmailMessageContent1764028800000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE email_blasts ADD COLUMN force boolean NOT NULL DEFAULT false;
      ALTER TABLE email_messages
        ADD COLUMN html text,
        ADD COLUMN text_body text,
        ADD COLUMN receipt_order_id integer,
        ADD FOREIGN KEY (tenant_id, receipt_order_id) REFERENCES orders (tenant_id, id);
      CREATE UNIQUE INDEX email_messages_receipt_order_key ON email_messages (tenant_id, receipt_order_id)
        WHERE receipt_order_id IS NOT NULL;
      CREATE INDEX email_messages_blast_status_idx ON email_messages (blast_id, status) WHERE blast_id IS NOT NULL;
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`
      DROP INDEX email_messages_blast_status_idx;
      DROP INDEX email_messages_receipt_order_key;
      ALTER TABLE email_messages DROP COLUMN receipt_order_id, DROP COLUMN text_body, DROP COLUMN html;
      ALTER TABLE email_blasts DROP COLUMN force;
    `);
  }
}
