import { DataSource } from 'typeorm';

export class UnknownMigrationError extends Error {}

// Any constant works; it only has to be the same in every Courtside process.
const MIGRATION_LOCK = 7_428_101;

/**
 * Applies pending migrations under an advisory lock (several instances may start at once).
 * A database that holds a migration this code does not know was changed outside the repo:
 * refuse to run on it, naming the migration, rather than drift from the schema.
 */
export async function migrateDatabase(dataSource: DataSource): Promise<string[]> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const known = new Set(dataSource.migrations.map((migration) => migration.name));
    const [{ exists }] = (await runner.query(
      `SELECT to_regclass('public.migrations') IS NOT NULL AS exists`,
    )) as {
      exists: boolean;
    }[];
    if (exists) {
      const applied = (await runner.query('SELECT name FROM migrations ORDER BY id')) as {
        name: string;
      }[];
      const unknown = applied.map((row) => row.name).filter((name) => !known.has(name));
      if (unknown.length > 0) {
        throw new UnknownMigrationError(
          `The database holds migration(s) this code does not know: ${unknown.join(', ')}. ` +
            'Deploy the code that contains them, or revert them through the repository.',
        );
      }
    }
    const ran = await dataSource.runMigrations({ transaction: 'each' });
    return ran.map((migration) => migration.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
    await runner.release();
  }
}
