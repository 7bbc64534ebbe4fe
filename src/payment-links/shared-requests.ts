/**
 * Mints running side by side (a backfill, a double submit) share the first Stripe request for a
 * key (a product, tier or link) instead of repeating it under the same idempotency key;
 * correctness never depends on this, only the number of Stripe calls.
 */
export class SharedRequests {
  private readonly pending = new Map<string, Promise<unknown>>();

  share<T>(key: string, request: () => Promise<T>): Promise<T> {
    let pending = this.pending.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = request().finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending;
  }
}
