import { randomBytes } from 'node:crypto';
import { databaseUrl, withAdmin } from './postgres';
import { TEST_ENV } from './test-env';

function server(): { url: string; template: string } {
  const url = process.env[TEST_ENV.serverUrl];
  const template = process.env[TEST_ENV.template];
  if (!url || !template)
    throw new Error(
      'Test PostgreSQL is not running: run the app suites through jest (global setup)',
    );
  return { url, template };
}

/** A fresh, migrated database for one test file, cloned from the template. */
export async function createTestDatabase(): Promise<string> {
  const { url, template } = server();
  const name = `${template.replace('template', 'test')}_${randomBytes(5).toString('hex')}`;
  await withAdmin(url, (admin) => admin.query(`CREATE DATABASE ${name} TEMPLATE ${template}`));
  return databaseUrl(url, name);
}

/** An empty database (no migrations), for migration tests. */
export async function createEmptyDatabase(): Promise<string> {
  const { url, template } = server();
  const name = `${template.replace('template', 'test')}_empty_${randomBytes(5).toString('hex')}`;
  await withAdmin(url, (admin) => admin.query(`CREATE DATABASE ${name}`));
  return databaseUrl(url, name);
}
