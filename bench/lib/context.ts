import type { BenchPostgres } from './database';
import type { BenchResult } from './measure';

export interface BenchContext {
  pg: BenchPostgres;
  log(line: string): void;
}

/** One row (or more) of docs/performance.md: measures Courtside and its lower bound in one run. */
export interface Benchmark {
  name: string;
  run(context: BenchContext): Promise<BenchResult[]>;
}
