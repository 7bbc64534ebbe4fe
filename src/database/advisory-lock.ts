import type { EntityManager } from 'typeorm';

/**
 * Serialises one decision across requests and instances: a PostgreSQL advisory lock on `key`
 * (a name such as `order-item:1:2:3`, hashed to 64 bits), held until the caller's transaction
 * ends. The transaction must not wait on anything outside the database while it holds the lock:
 * waiters each keep a pooled connection. (OrderPaymentsService.lockForPayment takes the same
 * lock inside its own statement, to save a round trip: keep the two expressions alike.)
 */
export async function lockUntilCommit(manager: EntityManager, key: string): Promise<void> {
  await manager.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
}
