import { withAdmin } from './postgres';
import { TEST_ENV } from './test-env';

export default async function globalTeardown(): Promise<void> {
  const server = globalThis.__courtsidePostgres;
  if (server?.dataDir) {
    await server.stop();
    return;
  }
  // A shared server (TEST_DATABASE_URL): remove what this run created.
  const template = process.env[TEST_ENV.template] ?? '';
  await withAdmin(process.env[TEST_ENV.serverUrl]!, async (admin) => {
    const { rows } = await admin.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname = $1 OR datname LIKE $2`,
      [template, `${template.replace('template', 'test')}%`],
    );
    for (const { datname } of rows)
      await admin.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}
