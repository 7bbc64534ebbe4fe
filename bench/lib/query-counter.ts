import { Client } from 'pg';

/**
 * Counts the SQL statements this process sends through `pg` (TypeORM's driver included) while
 * `work` runs: the "no N+1" check of a benchmark. The job queue's own polling (schema pgboss)
 * is not the request's work and is left out.
 */
export async function countQueries(work: () => Promise<unknown>): Promise<number> {
  const prototype = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  let count = 0;
  prototype.query = function (this: unknown, ...args: unknown[]) {
    const [first] = args;
    const text = typeof first === 'string' ? first : ((first as { text?: string })?.text ?? '');
    if (!text.includes('pgboss')) count++;
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    prototype.query = original;
  }
  return count;
}

/**
 * Like `countQueries`, but also counts, apart, the statements whose text matches `pattern`
 * (e.g. every statement that inserts into a table): `{ all, matching }`.
 */
export async function countStatements(
  pattern: RegExp,
  work: () => Promise<unknown>,
): Promise<{ all: number; matching: number }> {
  const prototype = Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = prototype.query;
  const counts = { all: 0, matching: 0 };
  prototype.query = function (this: unknown, ...args: unknown[]) {
    const [first] = args;
    const text = typeof first === 'string' ? first : ((first as { text?: string })?.text ?? '');
    if (!text.includes('pgboss')) counts.all++;
    if (pattern.test(text)) counts.matching++;
    return original.apply(this, args);
  };
  try {
    await work();
  } finally {
    prototype.query = original;
  }
  return counts;
}

/**
 * `countStatements` from now until the returned function is called, which answers the counts:
 * for a child process told by one message to start counting and by another to stop.
 */
export function countStatementsUntilStopped(
  pattern: RegExp,
): () => Promise<{ all: number; matching: number }> {
  let stop = (): void => undefined;
  const counted = countStatements(pattern, () => new Promise<void>((resolve) => (stop = resolve)));
  return () => {
    stop();
    return counted;
  };
}
