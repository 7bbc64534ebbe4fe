import {
  addMonths,
  firstDayOf,
  inQuietHours,
  localNow,
  monthOf,
  secondsUntilMailable,
} from './billing-month';

describe('billing months', () => {
  it('reads YYYY-MM and nothing else', () => {
    expect(firstDayOf('2027-01')).toBe('2027-01-01');
    expect(firstDayOf('2027-13')).toBeUndefined();
    expect(firstDayOf('2027-1')).toBeUndefined();
    expect(firstDayOf('2027-01-01')).toBeUndefined();
    expect(monthOf('2027-01-01')).toBe('2027-01');
  });

  it('adds months across years, both ways', () => {
    expect(addMonths('2026-12', 1)).toBe('2027-01');
    expect(addMonths('2027-01', -1)).toBe('2026-12');
    expect(addMonths('2026-05', 10)).toBe('2027-03');
  });

  it("reads the club's local date and hour, including across a DST change", () => {
    // 2027-03-14 is the US spring-forward day: 06:59 UTC is 01:59 EST, 07:00 UTC is 03:00 EDT.
    expect(localNow(new Date('2027-03-14T06:59:00Z'), 'America/New_York')).toMatchObject({
      date: '2027-03-14',
      hour: 1,
    });
    expect(localNow(new Date('2027-03-14T07:00:00Z'), 'America/New_York')).toMatchObject({
      hour: 3,
    });
    // Late on the last day of a month in New York is already the next month in UTC.
    expect(localNow(new Date('2027-02-01T03:00:00Z'), 'America/New_York').month).toBe('2027-01');
  });

  it('quiet hours wrap past midnight', () => {
    expect(inQuietHours(20 * 60, '20:00', '08:00')).toBe(true);
    expect(inQuietHours(7 * 60 + 59, '20:00:00', '08:00:00')).toBe(true);
    expect(inQuietHours(8 * 60, '20:00', '08:00')).toBe(false);
    expect(inQuietHours(13 * 60, '12:00', '14:00')).toBe(true);
    expect(inQuietHours(14 * 60, '12:00', '14:00')).toBe(false);
    expect(inQuietHours(3 * 60, '00:00', '00:00')).toBe(false);
  });

  it('waits out quiet hours in the club timezone before mailing', () => {
    const club = {
      timezone: 'America/New_York',
      quietHoursStart: '20:00:00',
      quietHoursEnd: '08:00:00',
    };
    // 06:30 in New York (EST, UTC-5): 90 minutes to 08:00.
    expect(secondsUntilMailable(new Date('2027-01-15T11:30:00Z'), club)).toBe(90 * 60);
    expect(secondsUntilMailable(new Date('2027-01-15T15:00:00Z'), club)).toBe(0);
    // 21:00 local: eleven hours.
    expect(secondsUntilMailable(new Date('2027-01-16T02:00:00Z'), club)).toBe(11 * 3600);
  });
});
