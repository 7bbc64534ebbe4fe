import { Client } from 'pg';
import { TEST_ENV } from './test-env';

export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__courtsidePostgres;
  if (server) {
    await server.stop();
    return;
  }
  // A shared server (TEST_DATABASE_URL): remove what this run created.
  const admin = new Client({ connectionString: process.env[TEST_ENV.serverUrl] });
  await admin.connect();
  const template = process.env[TEST_ENV.template] ?? '';
  const { rows } = await admin.query<{ datname: string }>(
    `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
    [template, `${template.replace('template', 'test')}%`],
  );
  for (const { datname } of rows)
    await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  await admin.end();
}
