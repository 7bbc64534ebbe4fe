/**
 * Billing months. A month is written `YYYY-MM` by people and stored as its first day
 * (`YYYY-MM-01`, a PostgreSQL date); "now" is always read in the club's timezone.
 */

export const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** `2027-01` → `2027-01-01`; undefined for anything else. */
export function firstDayOf(month: string): string | undefined {
  return MONTH.test(month) ? `${month}-01` : undefined;
}

/** `2027-01-01` (or a Date column's text) → `2027-01`. */
export function monthOf(day: string): string {
  return day.slice(0, 7);
}

/** The month `count` months after `month` (`YYYY-MM`). */
export function addMonths(month: string, count: number): string {
  const [year, mon] = month.split('-').map(Number);
  const index = year * 12 + (mon - 1) + count;
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The club's local calendar date and hour at `at`. */
export function localNow(
  at: Date,
  timezone: string,
): { date: string; month: string; day: number; hour: number; minutes: number } {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone: timezone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(at)
      .map((part) => [part.type, part.value]),
  );
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return {
    date,
    month: date.slice(0, 7),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** Whether local minutes-of-day `minutes` fall in quiet hours `start`–`end` (`HH:MM[:SS]`, may wrap midnight). */
export function inQuietHours(minutes: number, start: string, end: string): boolean {
  const toMinutes = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
  const from = toMinutes(start);
  const to = toMinutes(end);
  if (from === to) return false;
  return from < to ? minutes >= from && minutes < to : minutes >= from || minutes < to;
}

/**
 * Seconds until mail may go out to a club's families at `at`: 0 outside its quiet hours, else
 * until they end (local `HH:MM[:SS]` times in its timezone, which may wrap midnight).
 */
export function secondsUntilMailable(
  at: Date,
  club: { timezone: string; quietHoursStart: string; quietHoursEnd: string },
): number {
  const { minutes } = localNow(at, club.timezone);
  if (!inQuietHours(minutes, club.quietHoursStart, club.quietHoursEnd)) return 0;
  const end = Number(club.quietHoursEnd.slice(0, 2)) * 60 + Number(club.quietHoursEnd.slice(3, 5));
  const wait = (end - minutes + 24 * 60) % (24 * 60);
  return wait * 60;
}
