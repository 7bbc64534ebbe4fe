import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { parse } from 'csv-parse';
import { DomainException } from '../../common/errors/domain.exception';
import { trimSpaces } from '../../common/text/single-line-text';
import { fieldProblems } from '../../common/http/validation.pipe';
import { ROSTER_COLUMNS, RosterRejection, RosterRow } from '../dtos/roster.dto';

export interface ParsedRoster {
  rows: { line: number; row: RosterRow }[];
  rejected: RosterRejection[];
}

// Parsed and validated a slice at a time, with other requests served in between: a big file
// never stalls the service.
const BYTES_PER_TURN = 64 * 1024;
const ROWS_PER_TURN = 500;

interface CsvRecord {
  record: string[];
  info: { lines: number };
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

/**
 * Reads a roster CSV into validated rows; a bad row is reported with the line it starts on,
 * never fatal to the others. A header that names an unknown, missing or repeated column
 * refuses the file.
 */
export async function parseRosterCsv(csv: string): Promise<ParsedRoster> {
  // One kind of line end, so that a quoted CRLF counts as one line like any other.
  const text = csv.replace(/\r\n?/g, '\n');
  let records: CsvRecord[];
  try {
    records = await readRecords(text);
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
  if (records.length === 0) return { rows: [], rejected: [] };
  const header = records[0].record.map((name) => name.trim().toLowerCase());
  assertUsableHeader(header);

  const parsed: ParsedRoster = { rows: [], rejected: [] };
  for (const [index, { record, info }] of records.entries()) {
    if (index === 0) continue;
    if (index % ROWS_PER_TURN === 0) await nextTurn();
    // csv-parse gives the line a record ends on; a quoted line break inside it moves its start up.
    const line = info.lines - record.reduce((breaks, cell) => breaks + lineBreaksIn(cell), 0);
    const values = Object.fromEntries(
      header
        .map((column, i) => [column, trimSpaces(record[i])])
        .filter(([, value]) => value !== ''),
    );
    const row = plainToInstance(RosterRow, values);
    const problems = fieldProblems(
      validateSync(row, { whitelist: true, forbidNonWhitelisted: true }),
    );
    if (row.team_name && !row.team_season)
      problems.push({ field: 'team_season', problems: ['team_season is required with team_name'] });
    if (problems.length > 0) {
      parsed.rejected.push({ line, errors: problems.flatMap((p) => p.problems) });
    } else {
      parsed.rows.push({ line, row });
    }
  }
  return parsed;
}

async function readRecords(text: string): Promise<CsvRecord[]> {
  const parser = parse({
    bom: true,
    trim: false, // csv-parse would also drop tabs; the fields trim spaces only (A8)
    skip_empty_lines: true,
    info: true,
    relax_column_count: false,
  });
  const records: CsvRecord[] = [];
  let failure: Error | undefined;
  const ended = new Promise<void>((resolve) => {
    parser.on('data', (record: CsvRecord) => records.push(record));
    parser.on('error', (error: Error) => {
      failure = error;
      resolve();
    });
    parser.on('end', resolve);
  });
  // Bytes, not characters: csv-parse joins a character split between two slices.
  const bytes = Buffer.from(text);
  for (let at = 0; at < bytes.length && !failure; at += BYTES_PER_TURN) {
    parser.write(bytes.subarray(at, at + BYTES_PER_TURN));
    await nextTurn();
  }
  if (!failure) parser.end();
  await ended;
  if (failure) throw failure;
  return records;
}

function assertUsableHeader(header: string[]): void {
  const problems = [
    ...['parent_name', 'player_name']
      .filter((column) => !header.includes(column))
      .map((column) => `missing column ${column}`),
    ...header
      .filter((column) => !(ROSTER_COLUMNS as readonly string[]).includes(column))
      .map((column) => `unknown column ${column} (allowed: ${ROSTER_COLUMNS.join(', ')})`),
    ...[...new Set(header.filter((column, i) => header.indexOf(column) !== i))].map(
      (column) => `column ${column} appears more than once`,
    ),
  ];
  if (problems.length > 0) {
    throw new DomainException(
      'validation_failed',
      `The roster's header row: ${problems.join('; ')}`,
      [{ field: 'header', problems }],
    );
  }
}

const lineBreaksIn = (cell: string) => cell.split('\n').length - 1;
