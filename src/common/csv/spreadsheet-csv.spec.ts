import { parse } from 'csv-parse/sync';
import { neutraliseFormula, spreadsheetCsv } from './spreadsheet-csv';

describe('neutraliseFormula', () => {
  it.each(['=1+2', '+1+2', '-1+2', '@SUM(A1)', '\t=1+2', '\r=1+2', '=HYPERLINK("http://x")'])(
    'prefixes %j with a quote so a spreadsheet shows it as text',
    (cell) => {
      expect(neutraliseFormula(cell)).toBe(`'${cell}`);
    },
  );

  it.each(['Ann Lee', '', 'x=1', "'=1", '12.50', '-12.50', '-7', '0'])(
    'leaves %j as it is: text that is no formula, or a plain number',
    (cell) => {
      expect(neutraliseFormula(cell)).toBe(cell);
    },
  );
});

describe('spreadsheetCsv', () => {
  it('neutralises text cells, keeps numbers as numbers, and quotes what CSV needs quoted', () => {
    const csv = spreadsheetCsv(
      ['name', 'amount_cents', 'amount'],
      [
        ['=cmd|"/c calc"!A1', -500, '-5.00'],
        ['Zoe "Z", Park', 12345, '123.45'],
      ],
    );
    expect(parse(csv)).toEqual([
      ['name', 'amount_cents', 'amount'],
      ['\'=cmd|"/c calc"!A1', '-500', '-5.00'],
      ['Zoe "Z", Park', '12345', '123.45'],
    ]);
  });
});
