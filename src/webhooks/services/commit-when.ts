import type { DataSource, EntityManager } from 'typeorm';

/** Thrown inside a transaction to roll it back while still returning what it decided. */
class RollBack<T> {
  constructor(readonly result: T) {}
}

/**
 * One transaction that commits only when `commit` says so of its result: a dry run, or a
 * decision for another club, rolls back everything it wrote and still answers what it decided.
 */
export async function commitWhen<T>(
  db: DataSource,
  work: (manager: EntityManager) => Promise<T>,
  commit: (result: T) => boolean,
): Promise<{ result: T; kept: boolean }> {
  try {
    const result = await db.transaction(async (manager) => {
      const decided = await work(manager);
      if (!commit(decided)) throw new RollBack(decided);
      return decided;
    });
    return { result, kept: true };
  } catch (error) {
    if (error instanceof RollBack) return { result: error.result as T, kept: false };
    throw error;
  }
}
