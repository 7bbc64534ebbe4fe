import { DomainException } from '../../common/errors/domain.exception';
import { reconcileSince } from './reconcile-window';

describe('reconcileSince', () => {
  const now = new Date('2026-03-31T12:00:00Z');
  const refused = (since: string) => {
    try {
      reconcileSince(since, now);
    } catch (error) {
      expect(error).toBeInstanceOf(DomainException);
      return (error as DomainException).message;
    }
    throw new Error(`--since ${since} was accepted`);
  };

  it('defaults to the oldest moment Stripe still keeps events for: 30 days ago', () => {
    expect(reconcileSince(undefined, now)).toEqual(new Date('2026-03-01T12:00:00Z'));
  });

  it('reads a bare date as midnight UTC and a date with a time as given', () => {
    expect(reconcileSince('2026-03-15', now)).toEqual(new Date('2026-03-15T00:00:00Z'));
    expect(reconcileSince('2026-03-15T08:30:00+02:00', now)).toEqual(
      new Date('2026-03-15T06:30:00Z'),
    );
  });

  it('accepts exactly 30 days ago', () => {
    expect(reconcileSince('2026-03-01T12:00:00Z', now)).toEqual(new Date('2026-03-01T12:00:00Z'));
  });

  it('accepts the day 30 days ago, from the oldest moment Stripe still keeps', () => {
    expect(reconcileSince('2026-03-01', now)).toEqual(new Date('2026-03-01T12:00:00Z'));
  });

  it('refuses a date older than 30 days, naming the earliest allowed', () => {
    expect(refused('2026-02-28')).toMatch(
      /more than 30 days ago: Stripe keeps events for 30 days, so the earliest is 2026-03-01T12:00:00.000Z/,
    );
  });

  it('refuses a date in the future', () => {
    expect(refused('2026-04-01')).toMatch(/in the future/);
  });

  it.each(['yesterday', '31/03/2026', '2026-02-30', '2026-13-01', '', '1711886400'])(
    'refuses %j as not a date',
    (since) => {
      expect(refused(since)).toMatch(/is not a date/);
    },
  );
});
