import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parse } from 'csv-parse/sync';
import { fieldProblems } from '../../common/http/validation.pipe';
import { ROSTER_COLUMNS, RosterRejection, RosterRow } from '../dtos/roster.dto';

export interface ParsedRoster {
  rows: { line: number; row: RosterRow }[];
  rejected: RosterRejection[];
}

/** Reads a roster CSV into validated rows; a bad row is reported with its line, never fatal to the others. */
export function parseRosterCsv(csv: string): ParsedRoster {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(csv, {
      columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()),
      bom: true,
      trim: true,
      skip_empty_lines: true,
      info: true,
      relax_column_count: false,
    });
  } catch (error) {
    return {
      rows: [],
      rejected: [
        {
          line: (error as { lines?: number }).lines ?? 1,
          errors: [`Not a readable CSV: ${(error as Error).message}`],
        },
      ],
    };
  }
  const header = records.length > 0 ? Object.keys(records[0].record) : [];
  const missing = ['parent_name', 'player_name'].filter(
    (column) => records.length > 0 && !header.includes(column),
  );
  const unknown = header.filter(
    (column) => !(ROSTER_COLUMNS as readonly string[]).includes(column),
  );
  if (missing.length > 0 || unknown.length > 0) {
    const errors = [
      ...missing.map((column) => `missing column ${column}`),
      ...unknown.map(
        (column) => `unknown column ${column} (allowed: ${ROSTER_COLUMNS.join(', ')})`,
      ),
    ];
    return { rows: [], rejected: [{ line: 1, errors }] };
  }

  const parsed: ParsedRoster = { rows: [], rejected: [] };
  for (const { record, info } of records) {
    const values = Object.fromEntries(Object.entries(record).filter(([, value]) => value !== ''));
    const row = plainToInstance(RosterRow, values);
    const problems = fieldProblems(
      validateSync(row, { whitelist: true, forbidNonWhitelisted: true }),
    );
    if (row.team_name && !row.team_season)
      problems.push({ field: 'team_season', problems: ['team_season is required with team_name'] });
    if (problems.length > 0) {
      parsed.rejected.push({ line: info.lines, errors: problems.flatMap((p) => p.problems) });
    } else {
      parsed.rows.push({ line: info.lines, row });
    }
  }
  return parsed;
}
