import { RateLimiter } from './rate-limiter';

describe('RateLimiter slots held until a second after their call ended', () => {
  function fakeClock() {
    let time = 0;
    return {
      now: () => time,
      sleep: async (ms: number) => void (time += ms),
      advance: (ms: number) => void (time += ms),
    };
  }

  it('starts the next call on a slot only a second after the previous one answered', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(2, clock.now, clock.sleep);
    const first = await limiter.acquire();
    const second = await limiter.acquire();
    clock.advance(300); // both calls take 300 ms to answer
    first();
    second();

    await limiter.acquire();

    expect(clock.now()).toBe(1300);
  });

  it('keeps counting a call that outlived its first second until a second after it ended', async () => {
    const clock = fakeClock();
    const limiter = new RateLimiter(1, clock.now, clock.sleep);
    const slow = await limiter.acquire();
    clock.advance(1500);
    slow();

    await limiter.acquire();

    expect(clock.now()).toBe(2500);
  });
});
