import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import PgBoss from 'pg-boss';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source.options';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres.server';
import { migrateDatabase } from '../../src/database/migrate';
import { freePort } from './ports';

/**
 * The one PostgreSQL bootstrap of the app suites (jest global setup) and the benchmarks
 * (bench/): a server, and migrated template databases that each test file or benchmark clones.
 */
export interface PostgresServer {
  url: string;
  /** The embedded server's temporary folder; undefined for a server given by URL. */
  dataDir?: string;
  /** Stops an embedded server and removes its folder; a server given by URL is left running. */
  stop(): Promise<void>;
}

/** The server at `url`, or without one an embedded PostgreSQL in a new temporary folder. */
export async function startPostgres(options: {
  url?: string;
  folderPrefix: string;
}): Promise<PostgresServer> {
  if (options.url) return { url: options.url, stop: async () => undefined };
  const dataDir = mkdtempSync(path.join(tmpdir(), options.folderPrefix));
  const embedded = new EmbeddedPostgresServer({
    dataDir,
    port: await freePort(),
    database: 'postgres',
    log: () => undefined,
  });
  return {
    url: await embedded.start(),
    dataDir,
    stop: async () => {
      await embedded.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** The URL of another database on the same server. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

/** Runs `work` on one connection to the server's own database (CREATE/DROP DATABASE). */
export async function withAdmin<T>(
  serverUrl: string,
  work: (admin: Client) => Promise<T>,
): Promise<T> {
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

/**
 * A new database `name` (one left by an earlier run is dropped) with every migration applied
 * and pg-boss's schema installed, once here rather than in every clone. Returns its URL.
 */
export async function createTemplate(serverUrl: string, name: string): Promise<string> {
  await withAdmin(serverUrl, async (admin) => {
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
  });
  const url = databaseUrl(serverUrl, name);
  const dataSource = new DataSource(dataSourceOptions(url, 2));
  await dataSource.initialize();
  await migrateDatabase(dataSource);
  await dataSource.destroy();
  const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });
  return url;
}
