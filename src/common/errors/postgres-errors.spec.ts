import { QueryFailedError } from 'typeorm';
import { isRefusedValue } from './postgres-errors';

const failed = (code: string) =>
  new QueryFailedError('INSERT …', [], Object.assign(new Error('refused'), { code }));

describe('isRefusedValue', () => {
  it.each(['22001', '22003', '22008', '22021', '22P02', '22P05', '54000'])(
    'is true for %s, a value PostgreSQL refuses whatever the retry',
    (code) => expect(isRefusedValue(failed(code))).toBe(true),
  );

  it.each([
    ['22012', 'division by zero: a fault of our SQL'],
    ['22023', 'invalid parameter value: a fault of our SQL'],
    ['40P01', 'a deadlock, which a retry outlives'],
    ['08006', 'a lost connection'],
    ['23505', 'a duplicate, which the caller handles'],
  ])('is false for %s (%s)', (code) => expect(isRefusedValue(failed(code))).toBe(false));

  it('is false for an error that is not from a query', () => {
    expect(isRefusedValue(Object.assign(new Error('x'), { code: '22003' }))).toBe(false);
  });
});
