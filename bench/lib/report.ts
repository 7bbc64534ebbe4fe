import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Table from 'cli-table3';
import type { BenchResult } from './measure';

/** The machine, for the `note` of every line: shared machines are noisy, ratios are what count. */
export function machineNote(): string {
  return `${os.cpus().length} × ${os.cpus()[0]?.model.trim() ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;
}

export function printResults(results: readonly BenchResult[]): void {
  const table = new Table({
    head: ['name', 'value', 'unit', 'lower bound', 'ratio', 'budget', 'pass', 'note'],
    style: { head: [], border: [], compact: true },
    wordWrap: true,
    colWidths: [null, null, null, null, null, 26, null, 60],
  });
  for (const r of results)
    table.push([
      r.name,
      r.value,
      r.unit,
      r.lower_bound ?? '',
      r.ratio ?? '',
      r.budget,
      r.pass ? 'pass' : 'FAIL',
      r.note,
    ]);
  process.stdout.write(`${table.toString()}\n`);
}

export function writeResults(results: readonly BenchResult[], file: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ at: new Date().toISOString(), machine: machineNote(), results }, null, 2)}\n`,
  );
}
