import { Client } from 'pg';
import { OUTSTANDING_BALANCES_SQL } from '../../src/billing/repositories/statements.repository';
import { OWED } from '../../src/orders/order-status';
import { startApp } from '../lib/app';
import type { Benchmark } from '../lib/context';
import { round, timeRuns } from '../lib/measure';
import { countQueries } from '../lib/query-counter';
import { BENCH_API_KEY, MEASURED_TENANT } from '../seed';

/**
 * GET /admin/balances/outstanding for the measured club, the whole JSON read over HTTP,
 * against the same SQL statement run through a bare `pg` client (rows fetched and parsed).
 */
export const statement: Benchmark = {
  name: 'statement',
  async run({ pg, log }) {
    const databaseUrl = await pg.copy('bench_statement');
    const app = await startApp({ databaseUrl });
    const raw = new Client({ connectionString: databaseUrl });
    await raw.connect();
    try {
      const endpoint = async () => {
        const response = await fetch(`${app.url}/admin/balances/outstanding`, {
          headers: { authorization: `Bearer ${BENCH_API_KEY}` },
        });
        if (!response.ok) throw new Error(`statement endpoint answered ${response.status}`);
        return (await response.json()) as { data?: unknown[] } | unknown[];
      };
      const families = await endpoint();
      const familyCount = Array.isArray(families) ? families.length : (families.data?.length ?? 0);
      const queries = await countQueries(endpoint);
      const bound = await timeRuns(() =>
        raw.query(OUTSTANDING_BALANCES_SQL, [MEASURED_TENANT, null, null, OWED]),
      );
      const measured = await timeRuns(endpoint);
      const ratio = measured.median / bound.median;
      log(`statement: ${familyCount} families, ${queries} SQL statements per request`);
      return [
        {
          name: 'statement',
          value: round(measured.median, 1),
          unit: 'ms',
          lower_bound: round(bound.median, 1),
          ratio: round(ratio),
          budget: '≤ 2× the raw query; no N+1',
          pass: ratio <= 2 && queries <= 3,
          note: `${familyCount} families; ${queries} SQL statements per request (key check + statement); runs ${measured.samples.map((s) => Math.round(s)).join('/')} ms`,
        },
      ];
    } finally {
      await raw.end();
      await app.close();
    }
  },
};
