/** At most `perSecond` calls in any rolling second; 0 turns the limit off. */
export class RollingRateLimiter {
  private readonly accepted: number[] = [];

  constructor(private perSecond: number) {}

  setLimit(perSecond: number): void {
    this.perSecond = perSecond;
  }

  tryAcquire(now = Date.now()): boolean {
    if (this.perSecond <= 0) return true;
    while (this.accepted.length > 0 && this.accepted[0] <= now - 1000) this.accepted.shift();
    if (this.accepted.length >= this.perSecond) return false;
    this.accepted.push(now);
    return true;
  }
}
