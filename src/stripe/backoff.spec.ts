import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  it('grows exponentially between half and all of the ceiling, and is capped', () => {
    expect(backoffDelay(0, 250, 8000, () => 0)).toBe(125);
    expect(backoffDelay(0, 250, 8000, () => 1)).toBe(250);
    expect(backoffDelay(3, 250, 8000, () => 1)).toBe(2000);
    expect(backoffDelay(10, 250, 8000, () => 1)).toBe(8000);
  });
});
