import { createTemplate, startPostgres, type PostgresServer } from './postgres';
import { TEST_ENV } from './test-env';

declare global {
  var __courtsidePostgres: PostgresServer | undefined;
}

/**
 * Starts PostgreSQL once for the whole run (embedded, or the server at TEST_DATABASE_URL)
 * and builds a migrated template; each test file clones its own database from it.
 */
export default async function globalSetup(): Promise<void> {
  const server = await startPostgres({
    url: process.env.TEST_DATABASE_URL,
    folderPrefix: 'courtside-test-pg-',
  });
  globalThis.__courtsidePostgres = server;
  const template = `courtside_template_${process.pid}`;
  await createTemplate(server.url, template);
  process.env[TEST_ENV.serverUrl] = server.url;
  process.env[TEST_ENV.template] = template;
}
