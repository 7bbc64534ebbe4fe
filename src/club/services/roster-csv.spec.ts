import { parseRosterCsv } from './roster-csv';

describe('roster CSV', () => {
  it('reads rows with their line numbers and trims values', () => {
    const csv =
      'parent_name,parent_email,player_name,team_name,team_season,team_monthly_fee_cents\n' +
      ' Ann Lee ,ann@example.com,Max Lee,U12 Boys,2026-27,12500\n';
    const { rows, rejected } = parseRosterCsv(csv);
    expect(rejected).toEqual([]);
    expect(rows).toHaveLength(1);
    expect(rows[0].line).toBe(2);
    expect(rows[0].row).toMatchObject({
      parent_name: 'Ann Lee',
      player_name: 'Max Lee',
      team_monthly_fee_cents: '12500',
    });
  });

  it('rejects a bad row by its line and keeps the good ones', () => {
    const csv =
      'parent_name,parent_email,player_name\nAnn,ann@example.com,Max\nBob,not-an-email,Sam\n,x@example.com,Kim\n';
    const { rows, rejected } = parseRosterCsv(csv);
    expect(rows.map((r) => r.line)).toEqual([2]);
    expect(rejected.map((r) => r.line)).toEqual([3, 4]);
    expect(rejected[0].errors.join()).toMatch(/email/);
    expect(rejected[1].errors.join()).toMatch(/parent_name/);
  });

  it('reports unknown and missing columns on line 1', () => {
    const { rows, rejected } = parseRosterCsv('parent,player_name,shoe_size\nAnn,Max,9\n');
    expect(rows).toEqual([]);
    expect(rejected).toHaveLength(1);
    expect(rejected[0].line).toBe(1);
    expect(rejected[0].errors).toEqual(
      expect.arrayContaining([
        'missing column parent_name',
        expect.stringMatching(/unknown column shoe_size/),
      ]),
    );
  });

  it('needs a season with a team and whole cents for the fee', () => {
    const { rejected } = parseRosterCsv(
      'parent_name,player_name,team_name,team_monthly_fee_cents\nAnn,Max,U12,12.50\n',
    );
    expect(rejected[0].errors.join(' ')).toMatch(/team_season/);
    expect(rejected[0].errors.join(' ')).toMatch(/whole number of cents/);
  });

  it('turns an unreadable file into one rejection, not an exception', () => {
    const { rows, rejected } = parseRosterCsv('parent_name,player_name\n"Ann,Max\n');
    expect(rows).toEqual([]);
    expect(rejected[0].errors[0]).toMatch(/Not a readable CSV/);
  });
});
