import { forEachConcurrently } from './concurrency';

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('forEachConcurrently', () => {
  it('visits every item once with no more than the limit in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachConcurrently([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tick();
      seen.push(item);
      inFlight--;
    });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(3);
  });

  it('takes no new item once asked to stop, finishing those in flight', async () => {
    const done: number[] = [];
    let stop = false;
    await forEachConcurrently(
      [1, 2, 3, 4, 5],
      2,
      async (item) => {
        await tick();
        done.push(item);
        if (item === 1) stop = true;
      },
      () => stop,
    );
    expect(done).toEqual([1, 2]);
  });

  it('accepts an empty list', async () => {
    const work = jest.fn();
    await forEachConcurrently([], 4, work);
    expect(work).not.toHaveBeenCalled();
  });
});
