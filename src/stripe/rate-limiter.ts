/**
 * Spaces calls so that no rolling second holds more than `perSecond` of them. Callers wait
 * their turn in order; nothing is dropped. Per process: Stripe's limit is per account, so
 * several instances should each get a share of it (STRIPE_RATE_LIMIT_PER_SECOND).
 *
 * Stripe counts a call when it arrives, which can be a little after it was sent, so a slot is
 * held until a second after its call ended (the `done` callback `acquire` resolves with):
 * consecutive calls on one slot then reach Stripe more than a second apart. A slot whose
 * `done` is never called frees a second after its call started.
 */
export class RateLimiter {
  /** When each recently used slot frees up. */
  private slots: { freeAt: number }[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private perSecond: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  setRate(perSecond: number): void {
    this.perSecond = perSecond;
  }

  /** Resolves when the caller may make its call, with the function to call once it has ended. */
  acquire(): Promise<() => void> {
    const turn = this.queue.then(() => this.waitForSlot());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async waitForSlot(): Promise<() => void> {
    for (;;) {
      const now = this.now();
      this.slots = this.slots.filter((slot) => slot.freeAt > now);
      if (this.slots.length < this.perSecond) {
        const slot = { freeAt: now + 1000 };
        this.slots.push(slot);
        return () => this.ended(slot);
      }
      await this.sleep(Math.min(...this.slots.map((slot) => slot.freeAt)) - now);
    }
  }

  private ended(slot: { freeAt: number }): void {
    const freeAt = this.now() + 1000;
    if (freeAt <= slot.freeAt) return;
    slot.freeAt = freeAt;
    // A call that outlived its first second is counted again until a second after it ended.
    if (!this.slots.includes(slot)) this.slots.push(slot);
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
