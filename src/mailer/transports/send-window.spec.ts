import { SendWindow } from './send-window';

/** A clock that moves only when the window sleeps. */
function fakeClock() {
  const clock = { now: 0, sleeps: [] as number[] };
  return {
    clock,
    now: () => clock.now,
    sleep: async (ms: number) => {
      clock.sleeps.push(ms);
      clock.now += ms;
    },
  };
}

describe('SendWindow', () => {
  it('lets `limit` sends start at once, then holds the next until the window has rolled on', async () => {
    const { clock, now, sleep } = fakeClock();
    const window = new SendWindow(2, 1000, now, sleep);
    const starts: number[] = [];

    await Promise.all([1, 2, 3, 4, 5].map(() => window.take().then(() => starts.push(clock.now))));

    expect(starts).toEqual([0, 0, 1000, 1000, 2000]);
  });

  it('no rolling window ever holds more than `limit` starts, however the sends are spread', async () => {
    const { clock, now, sleep } = fakeClock();
    const window = new SendWindow(3, 1000, now, sleep);
    const starts: number[] = [];
    for (const gap of [0, 100, 250, 0, 900, 10, 10, 10, 2000, 0, 0, 0, 0]) {
      clock.now += gap;
      await window.take();
      starts.push(clock.now);
    }
    for (const start of starts) {
      expect(
        starts.filter((other) => other >= start && other < start + 1000).length,
      ).toBeLessThanOrEqual(3);
    }
  });

  it('a limit of 0 means no limit', async () => {
    const { clock, now, sleep } = fakeClock();
    const window = new SendWindow(0, 1000, now, sleep);
    await Promise.all([1, 2, 3].map(() => window.take()));
    expect(clock.sleeps).toEqual([]);
  });
});
