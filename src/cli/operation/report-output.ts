import Table from 'cli-table3';
import { SingleBar, Presets } from 'cli-progress';
import type { Cell } from '../../common/operator-outcome';
import type { ItemReport, OperationReport, Progress } from './operation';

/** Prints the report: a table and a summary for people, or one JSON document with `--json`. */
export function printReport(report: OperationReport, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  // Unchanged items are the bulk of a re-run: counted, listed only in --json.
  const changed = report.items.filter((item) => item.status !== 'unchanged');
  if (changed.length > 0) process.stdout.write(`${table(changed)}\n`);
  const { summary } = report;
  const counts = report.commit
    ? `${summary.done} done, ${summary.unchanged} unchanged, ${summary.skipped} skipped, ${summary.failed} failed`
    : `${summary.would_do} to do, ${summary.unchanged} unchanged, ${summary.skipped} skipped, ${summary.failed} failed`;
  process.stdout.write(
    `${report.command}: ${report.items.length} item(s): ${counts}. Took ${(report.elapsed_ms / 1000).toFixed(1)} s.\n`,
  );
  if (!report.commit)
    process.stdout.write('Dry run: nothing was written. Run again with --commit to do it.\n');
  if (report.interrupted)
    process.stderr.write('Interrupted: items not listed were not started. Run it again.\n');
  const failed = report.items.filter((item) => item.status === 'failed');
  if (failed.length > 0) {
    process.stderr.write(`${failed.length} item(s) failed:\n`);
    for (const item of failed)
      process.stderr.write(`  ${describe(item.columns)}: ${item.result}\n`);
  }
}

function table(items: readonly ItemReport[]): string {
  return formatTable(
    items.map((item) => ({ ...item.columns, status: item.status, result: item.result })),
  );
}

/** A plain table with a column for every key any row has, in the order they first appear. */
export function formatTable(rows: readonly Record<string, Cell | undefined>[]): string {
  const keys: string[] = [];
  for (const row of rows)
    for (const key of Object.keys(row)) if (!keys.includes(key)) keys.push(key);
  const out = new Table({
    head: keys,
    style: { head: [], border: [], compact: true },
    wordWrap: true,
  });
  for (const row of rows) out.push(keys.map((key) => show(row[key])));
  return out.toString();
}

function describe(columns: Record<string, Cell>): string {
  return Object.entries(columns)
    .filter(([, value]) => value !== null && value !== undefined)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
}

const show = (value: Cell | undefined): string =>
  value === null || value === undefined ? '' : String(value);

/** A progress bar on a terminal (stderr, so piped stdout stays clean); nothing otherwise. */
export function progressBar(enabled: boolean): Progress | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  const bar = new SingleBar(
    { stream: process.stderr, format: '{bar} {value}/{total} items | {duration_formatted}' },
    Presets.shades_classic,
  );
  return {
    start: (total) => bar.start(total, 0),
    increment: () => bar.increment(),
    stop: () => bar.stop(),
  };
}
