import { createHash } from 'node:crypto';
import type { PoolClient } from 'pg';
import { QueryFailedError, type EntityManager } from 'typeorm';

const names = new Map<string, string>();

/**
 * Runs `text` as a named prepared statement: each pooled connection parses and plans it once,
 * then only binds and executes it (PostgreSQL settles on a generic plan after five runs). For the
 * statements every webhook delivery runs, where parsing and planning cost more than executing.
 * The name is derived from the text, so one text is one statement on every connection.
 *
 * In a transaction it goes straight to that transaction's node-postgres connection: TypeORM adds
 * nothing to a raw statement but per-call work. The result and errors are shaped as
 * `manager.query` shapes them (`[rows, affected]` for UPDATE and DELETE; QueryFailedError).
 */
export async function preparedQuery<T = unknown>(
  manager: EntityManager,
  text: string,
  values: unknown[],
): Promise<T> {
  const runner = manager.queryRunner;
  if (!runner || runner.isReleased) return manager.query(text, values) as Promise<T>;
  const client = (await runner.connect()) as PoolClient;
  try {
    const result = await client.query({ name: nameOf(text), text, values });
    return (
      result.command === 'UPDATE' || result.command === 'DELETE'
        ? [result.rows, result.rowCount]
        : result.rows
    ) as T;
  } catch (error) {
    throw new QueryFailedError(text, values, error as Error);
  }
}

function nameOf(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `courtside_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}
