import { backoffDelay, RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  /** A clock that only moves when the limiter sleeps, so the test is exact and instant. */
  function fakeClock() {
    let time = 0;
    return { now: () => time, sleep: async (ms: number) => void (time += ms), elapsed: () => time };
  }

  it('lets the first N calls of a second through at once', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(5, clock.now, clock.sleep);
    for (let i = 0; i < 5; i++) await limiter.acquire();
    expect(clock.elapsed()).toBe(0);
  });

  it('never lets more than N calls into any rolling second', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(4, clock.now, clock.sleep);
    const startedAt: number[] = [];
    for (let i = 0; i < 13; i++) {
      await limiter.acquire();
      startedAt.push(clock.now());
    }
    for (const start of startedAt) {
      expect(startedAt.filter((t) => t >= start && t < start + 1000).length).toBeLessThanOrEqual(4);
    }
    expect(clock.elapsed()).toBe(3000);
  });

  it('serves concurrent callers in arrival order', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(1, clock.now, clock.sleep);
    const order: number[] = [];
    await Promise.all([0, 1, 2].map((i) => limiter.acquire().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2]);
  });
});

describe('backoffDelay', () => {
  it('grows exponentially between half and all of the ceiling, and is capped', () => {
    expect(backoffDelay(0, 250, 8000, () => 0)).toBe(125);
    expect(backoffDelay(0, 250, 8000, () => 1)).toBe(250);
    expect(backoffDelay(3, 250, 8000, () => 1)).toBe(2000);
    expect(backoffDelay(10, 250, 8000, () => 1)).toBe(8000);
  });
});
