import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import PgBoss from 'pg-boss';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/data-source.options';
import { EmbeddedPostgresServer } from '../../src/database/embedded-postgres.server';
import { migrateDatabase } from '../../src/database/migrate';
import { freePort } from './ports';
import { databaseUrl, TEST_ENV } from './test-env';

declare global {
  var __courtsidePostgres: EmbeddedPostgresServer | undefined;
}

/**
 * Starts PostgreSQL once for the whole run (embedded, or the server at TEST_DATABASE_URL)
 * and builds a migrated template; each test file clones its own database from it.
 */
export default async function globalSetup(): Promise<void> {
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const server = new EmbeddedPostgresServer({
      dataDir: mkdtempSync(path.join(tmpdir(), 'courtside-test-pg-')),
      port: await freePort(),
      database: 'postgres',
      log: () => undefined,
    });
    serverUrl = await server.start();
    globalThis.__courtsidePostgres = server;
  }
  const template = `courtside_template_${process.pid}`;
  const admin = new Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${template}`);
  await admin.query(`CREATE DATABASE ${template}`);
  await admin.end();

  const dataSource = new DataSource(dataSourceOptions(databaseUrl(serverUrl, template), 2));
  await dataSource.initialize();
  await migrateDatabase(dataSource);
  await dataSource.destroy();
  // pg-boss installs its schema on first start; do it once here, not in every test database.
  const boss = new PgBoss({
    connectionString: databaseUrl(serverUrl, template),
    supervise: false,
    schedule: false,
  });
  await boss.start();
  await boss.stop({ graceful: false, wait: true });

  process.env[TEST_ENV.serverUrl] = serverUrl;
  process.env[TEST_ENV.template] = template;
}
