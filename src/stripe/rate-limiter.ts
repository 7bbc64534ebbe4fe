/**
 * Spaces calls so that no rolling second holds more than `perSecond` of them. Callers wait
 * their turn in order; nothing is dropped. Per process: Stripe's limit is per account, so
 * several instances should each get a share of it (STRIPE_RATE_LIMIT_PER_SECOND).
 */
export class RateLimiter {
  private readonly recent: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private perSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  setRate(perSecond: number): void {
    this.perSecond = perSecond;
  }

  /** Resolves when the caller may make its call. */
  acquire(): Promise<void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitForSlot(): Promise<void> {
    for (;;) {
      const now = this.now();
      while (this.recent.length > 0 && this.recent[0] <= now - 1000) this.recent.shift();
      if (this.recent.length < this.perSecond) {
        this.recent.push(now);
        return;
      }
      await this.sleep(this.recent[0] + 1000 - now);
    }
  }
}

/** Exponential backoff with full jitter, capped: 429s from several callers do not retry in lockstep. */
export function backoffDelay(
  attempt: number,
  baseMs = 250,
  capMs = 8000,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
