import { DomainException } from '../../common/errors/domain.exception';
import { parseRosterCsv } from './roster-csv';

describe('roster CSV', () => {
  it('reads rows with their line numbers and trims spaces around values', async () => {
    const csv =
      'parent_name,parent_email,player_name,team_name,team_season,team_monthly_fee_cents\n' +
      ' Ann Lee ,ann@example.com,Max Lee,U12 Boys,2026-27, 12500 \n';
    const { rows, rejected } = await parseRosterCsv(csv);
    expect(rejected).toEqual([]);
    expect(rows).toHaveLength(1);
    expect(rows[0].line).toBe(2);
    expect(rows[0].row).toMatchObject({
      parent_name: 'Ann Lee',
      player_name: 'Max Lee',
      team_monthly_fee_cents: '12500',
    });
  });

  it('rejects a bad row by its line and keeps the good ones', async () => {
    const csv =
      'parent_name,parent_email,player_name\nAnn,ann@example.com,Max\nBob,not-an-email,Sam\n,x@example.com,Kim\n';
    const { rows, rejected } = await parseRosterCsv(csv);
    expect(rows.map((r) => r.line)).toEqual([2]);
    expect(rejected.map((r) => r.line)).toEqual([3, 4]);
    expect(rejected[0].errors.join()).toMatch(/email/);
    expect(rejected[1].errors.join()).toMatch(/parent_name/);
  });

  it('refuses a header with unknown, missing or repeated columns, naming them', async () => {
    const refusal = parseRosterCsv('parent,player_name,shoe_size,Player_Name\nAnn,Max,9,Mo\n');
    await expect(refusal).rejects.toBeInstanceOf(DomainException);
    await expect(refusal).rejects.toMatchObject({
      code: 'validation_failed',
      details: [
        {
          field: 'header',
          problems: expect.arrayContaining([
            'missing column parent_name',
            expect.stringMatching(/^unknown column shoe_size/),
            'column player_name appears more than once',
          ]),
        },
      ],
    });
  });

  it('needs a season with a team and whole cents for the fee', async () => {
    const { rejected } = await parseRosterCsv(
      'parent_name,player_name,team_name,team_monthly_fee_cents\nAnn,Max,U12,12.50\n',
    );
    expect(rejected[0].errors.join(' ')).toMatch(/team_season/);
    expect(rejected[0].errors.join(' ')).toMatch(/whole number of cents/);
  });

  it('reports the line a row starts on, with quoted line breaks (LF or CRLF) and blank lines before it', async () => {
    for (const eol of ['\n', '\r\n']) {
      const csv = [
        'parent_name,player_name',
        'Ann,Max',
        '"Bo',
        'Chen",Sam',
        '',
        'Cy,"Eli',
        '',
        'Diaz"',
        'Dee,=1+2',
        '',
      ].join(eol);
      const { rows, rejected } = await parseRosterCsv(csv);
      expect({ eol, rows: rows.map((r) => [r.line, r.row.parent_name]) }).toEqual({
        eol,
        rows: [
          [2, 'Ann'],
          [9, 'Dee'],
        ],
      });
      expect(rejected.map((r) => r.line)).toEqual([3, 6]);
    }
  });

  it('keeps an unquoted leading tab too, so \\t=1+2 is refused, never read as =1+2', async () => {
    const { rows, rejected } = await parseRosterCsv('parent_name,player_name\n\t=1+2,Max\n');
    expect(rows).toEqual([]);
    expect(rejected).toEqual([{ line: 2, errors: [expect.stringMatching(/parent_name/)] }]);
  });

  it('keeps a quoted leading tab, so "\\t=1+2" is refused, never read as =1+2', async () => {
    const { rows, rejected } = await parseRosterCsv('parent_name,player_name\n"\t=1+2",Max\n');
    expect(rows).toEqual([]);
    expect(rejected).toEqual([
      { line: 2, errors: ['parent_name must not contain control characters or line breaks'] },
    ]);
  });

  it('reads a file of many slices whole, a character split between two slices included', async () => {
    // 24 header bytes + 14 bytes a row: the 64 KiB slice boundary falls inside a 🏀 (4 bytes).
    const rows = 'Zoë 🏀,Kid\n'.repeat(5000);
    const { rows: read, rejected } = await parseRosterCsv(`parent_name,player_name\n${rows}`);
    expect(rejected).toEqual([]);
    expect(read).toHaveLength(5000);
    expect(read.filter((r) => r.row.parent_name !== 'Zoë 🏀')).toEqual([]);
    expect(read.at(-1)!.line).toBe(5001);
  });

  it('turns an unreadable file into one rejection, not an exception', async () => {
    const { rows, rejected } = await parseRosterCsv('parent_name,player_name\n"Ann,Max\n');
    expect(rows).toEqual([]);
    expect(rejected[0].errors[0]).toMatch(/Not a readable CSV/);
  });
});
