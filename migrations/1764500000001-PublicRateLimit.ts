import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The public rate limit's counters, shared by every instance: one row per client address and
 * window. Not club data, so no tenant: the rows count anonymous clients by IP.
 */
export class PublicRateLimit1764500000001 implements MigrationInterface {
  name = 'PublicRateLimit1764500000001';

  async up(db: QueryRunner): Promise<void> {
    // Unlogged: counters a crash may lose (a minute's allowance) are not worth WAL on every request.
    await db.query(
      `CREATE UNLOGGED TABLE public_rate_limits (
         key text PRIMARY KEY,
         hits integer NOT NULL,
         window_ends timestamptz NOT NULL,
         blocked_until timestamptz
       )`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE public_rate_limits`);
  }
}
