import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The Stripe account's rate limit, shared by every process on this database (StripeBudget):
 * one row per call a rolling second may carry, up to STRIPE_RATE_LIMIT_PER_SECOND's maximum.
 * Not club data: the Stripe account is the platform's, so the rows carry no tenant.
 */
export class SharedStripeBudget1764500000000 implements MigrationInterface {
  name = 'SharedStripeBudget1764500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE stripe_call_slots (
        slot integer PRIMARY KEY CHECK (slot >= 0),
        free_at timestamptz NOT NULL DEFAULT 'epoch'
      )`);
    await runner.query(`INSERT INTO stripe_call_slots (slot) SELECT generate_series(0, 99)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE stripe_call_slots`);
  }
}
