import { Client } from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/*
 * Advisory locks serialise one decision across requests and instances. Every lock is named
 * (`order-item:1:2:3`, `roster:1`) and the name hashed to 64 bits the same way everywhere:
 * `pg_advisory_xact_lock(hashtextextended(name, 0))`. (OrderPaymentsService.lockForPayment
 * takes the same lock inside its own statement, to save a round trip: keep the two alike.)
 * The migration lock alone stays a fixed number, so instances of every version agree on it.
 */

/**
 * Held until `manager`'s transaction ends. The transaction must not wait on anything outside
 * the database while it holds the lock: waiters each keep a pooled connection.
 */
export async function lockUntilCommit(manager: EntityManager, name: string): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [name]);
}

/**
 * Held while `work` runs, on a connection of its own, for work that calls Stripe between its
 * transactions. Waiters each hold a connection meanwhile: use it for rare admin runs only.
 */
export async function withSessionLock<T>(
  db: DataSource,
  name: string,
  work: () => Promise<T>,
): Promise<T> {
  const holder = db.createQueryRunner();
  await holder.connect();
  try {
    await holder.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [name]);
    try {
      return await work();
    } finally {
      await holder.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name]);
    }
  } finally {
    await holder.release();
  }
}

/**
 * As withSessionLock, but only if no one holds the lock now: `work` runs, or `busy` is returned
 * at once. For background jobs that another holder is already doing: waiting would keep a
 * pooled connection per waiter, and enough waiters starve the holder of connections.
 */
export async function withSessionLockIfFree<T, B>(
  db: DataSource,
  name: string,
  work: () => Promise<T>,
  busy: B,
): Promise<T | B> {
  const holder = db.createQueryRunner();
  await holder.connect();
  try {
    const [{ locked }] = (await holder.query(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
      [name],
    )) as { locked: boolean }[];
    if (!locked) return busy;
    try {
      return await work();
    } finally {
      await holder.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [name]);
    }
  } finally {
    await holder.release();
  }
}

/**
 * As withSessionLock, on a connection of its own to `databaseUrl`: for start-up work of code
 * with no DataSource (pg-boss's queues), which every instance may do at the same moment.
 */
export async function withSessionLockOn<T>(
  databaseUrl: string,
  name: string,
  work: () => Promise<T>,
): Promise<T> {
  const holder = new Client({ connectionString: databaseUrl });
  // A dropped connection rejects the query in flight; unheard, its 'error' event would crash.
  holder.on('error', () => undefined);
  await holder.connect();
  try {
    await holder.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [name]);
    return await work();
  } finally {
    // Ending the session releases its lock.
    await holder.end();
  }
}
