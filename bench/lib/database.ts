import { Client } from 'pg';
import { createTemplate, databaseUrl, startPostgres, withAdmin } from '../../test/support/postgres';
import { seed } from '../seed';

export const TEMPLATE = 'courtside_bench_template';

export interface BenchPostgres {
  serverUrl: string;
  /** A fresh copy of the seeded database for one benchmark (they change data). */
  copy(name: string): Promise<string>;
  stop(): Promise<void>;
}

/** PostgreSQL for the run: BENCH_DATABASE_URL's server, or an embedded one in a temp folder. */
export async function startBenchPostgres(log: (line: string) => void): Promise<BenchPostgres> {
  const server = await startPostgres({
    url: process.env.BENCH_DATABASE_URL,
    folderPrefix: 'courtside-bench-pg-',
  });
  if (server.dataDir) log(`embedded PostgreSQL in ${server.dataDir}`);
  return {
    serverUrl: server.url,
    copy: async (name) => {
      await withAdmin(server.url, async (admin) => {
        await admin.query(`DROP DATABASE IF EXISTS ${name}`);
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
      });
      return databaseUrl(server.url, name);
    },
    stop: () => server.stop(),
  };
}

/** The migrated template (the tests' bootstrap), loaded with the data set. */
export async function buildTemplate(serverUrl: string): Promise<void> {
  const client = new Client({ connectionString: await createTemplate(serverUrl, TEMPLATE) });
  await client.connect();
  try {
    await seed(client);
  } finally {
    await client.end();
  }
}
