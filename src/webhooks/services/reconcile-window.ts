import { DomainException } from '../../common/errors/domain.exception';

/** Stripe keeps events for 30 days: reconciliation can look no further back. */
export const EVENT_RETENTION_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The start of the window `reconcile` checks: `--since` (a date, or a date and time; a bare
 * date is midnight UTC), by default the oldest moment Stripe still has events for.
 */
export function reconcileSince(since: string | undefined, now: Date): Date {
  const earliest = new Date(now.getTime() - EVENT_RETENTION_DAYS * DAY_MS);
  if (since === undefined) return earliest;
  const parsed = parseDate(since.trim());
  if (!parsed || Number.isNaN(parsed.getTime()))
    throw new DomainException(
      'validation_failed',
      `--since "${since}" is not a date: give one like 2026-03-01 or 2026-03-01T14:30:00Z`,
    );
  // A day's grace: `--since` the date 30 days ago means that day, though its first hours have gone.
  if (parsed.getTime() < earliest.getTime() - DAY_MS)
    throw new DomainException(
      'validation_failed',
      `--since ${since} is more than ${EVENT_RETENTION_DAYS} days ago: Stripe keeps events for ${EVENT_RETENTION_DAYS} days, so the earliest is ${earliest.toISOString()}`,
    );
  if (parsed.getTime() > now.getTime())
    throw new DomainException('validation_failed', `--since ${since} is in the future`);
  return parsed < earliest ? earliest : parsed;
}

const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** ISO 8601 only, and a real calendar day (`new Date` turns 2026-02-30 into 2 March). */
function parseDate(text: string): Date | undefined {
  const match = DATE_TIME.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  if (calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
  return new Date(text);
}
