import { stringify } from 'csv-stringify/sync';

// OWASP "CSV injection": a spreadsheet runs a cell that starts with one of these as a formula.
const FORMULA_START = /^[=+\-@\t\r]/;
// A plain decimal number is read as a number, never as a formula: it stays summable.
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** A text cell a spreadsheet would evaluate gets a leading `'`, so it shows as the text it is. */
export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
}

/** Every CSV Courtside writes: a header row, then one row per record, formulas neutralised. */
export function spreadsheetCsv(
  columns: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  return stringify(rows as (string | number)[][], {
    header: true,
    columns: columns.map(neutraliseFormula),
    cast: { number: String, string: neutraliseFormula },
  });
}
