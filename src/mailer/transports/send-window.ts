/**
 * At most `limit` sends start in any rolling window of `windowMs`; callers wait their turn in
 * order and nothing is dropped. Nodemailer's own pool limit checks only when a connection
 * frees up, so a fresh pool (or a window edge) lets up to `maxConnections` extra through: this
 * makes the per-second limit a hard cap.
 */
export class SendWindow {
  private starts: number[] = [];
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Resolves when the caller may start its send. */
  take(): Promise<void> {
    const turn = this.queue.then(() => this.waitForRoom());
    this.queue = turn;
    return turn;
  }

  private async waitForRoom(): Promise<void> {
    if (this.limit <= 0) return;
    for (;;) {
      const now = this.now();
      this.starts = this.starts.filter((start) => start > now - this.windowMs);
      if (this.starts.length < this.limit) {
        this.starts.push(now);
        return;
      }
      await this.sleep(this.starts[0] + this.windowMs - now);
    }
  }
}
