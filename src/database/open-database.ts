import path from 'node:path';
import { AppConfig, DatabaseConfig } from '../config';
import { EmbeddedPostgresServer } from './embedded-postgres.server';

export interface OpenDatabase {
  url: string;
  /** Present when Courtside runs its own PostgreSQL; stopped last on shutdown. */
  embedded?: EmbeddedPostgresServer;
}

/** DATABASE_URL when given; otherwise the embedded PostgreSQL under the data folder. */
export async function openDatabase(
  app: AppConfig,
  database: DatabaseConfig,
  log: (line: string) => void,
): Promise<OpenDatabase> {
  if (database.url) return { url: database.url };
  const embedded = new EmbeddedPostgresServer({
    dataDir: path.resolve(app.dataDir),
    port: database.embeddedPort,
    database: 'courtside',
    log,
  });
  return { url: await embedded.start(), embedded };
}
