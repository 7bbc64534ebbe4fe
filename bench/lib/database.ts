import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import PgBoss from 'pg-boss';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source.options';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres.server';
import { migrateDatabase } from '../../src/database/migrate';
import { seed } from '../seed';
import { freePort } from './free-port';

export const TEMPLATE = 'courtside_bench_template';

export interface BenchPostgres {
  serverUrl: string;
  /** A fresh copy of the seeded database for one benchmark (they change data). */
  copy(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** PostgreSQL for the run: BENCH_DATABASE_URL's server, or an embedded one in a temp folder. */
export async function startPostgres(log: (line: string) => void): Promise<BenchPostgres> {
  let serverUrl = process.env.BENCH_DATABASE_URL;
  let embedded: EmbeddedPostgresServer | undefined;
  let dataDir: string | undefined;
  if (!serverUrl) {
    dataDir = mkdtempSync(path.join(tmpdir(), 'courtside-bench-pg-'));
    embedded = new EmbeddedPostgresServer({
      dataDir,
      port: await freePort(),
      database: 'postgres',
      log: () => undefined,
    });
    serverUrl = await embedded.start();
    log(`embedded PostgreSQL in ${dataDir}`);
  }
  const url = serverUrl;
  return {
    serverUrl: url,
    copy: async (name) => {
      await admin(url, async (client) => {
        await client.query(`DROP DATABASE IF EXISTS ${name}`);
        await client.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
      });
      return databaseUrl(url, name);
    },
    stop: async () => {
      await embedded?.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Migrates a new template database, installs pg-boss's schema and loads the data set. */
export async function buildTemplate(serverUrl: string): Promise<void> {
  await admin(serverUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE}`);
    await client.query(`CREATE DATABASE ${TEMPLATE}`);
  });
  const url = databaseUrl(serverUrl, TEMPLATE);
  const dataSource = new DataSource(dataSourceOptions(url, 2));
  await dataSource.initialize();
  await migrateDatabase(dataSource);
  await dataSource.destroy();
  const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await seed(client);
  } finally {
    await client.end();
  }
}

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin(serverUrl: string, work: (client: Client) => Promise<void>): Promise<void> {
  const client = new Client({ connectionString: databaseUrl(serverUrl, 'postgres') });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}
