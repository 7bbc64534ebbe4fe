/** One line of bench/results/latest.json and of the printed table. */
export interface BenchResult {
  name: string;
  /** What was measured for Courtside (median of the runs). */
  value: number;
  unit: string;
  /** The lower bound measured in the same run, same unit (null when the row has none). */
  lower_bound: number | null;
  /** value ÷ lower_bound, or the inverse for rates: always "Courtside relative to the bound". */
  ratio: number | null;
  /** The budget in words, e.g. "≤ 2× the raw query". */
  budget: string;
  pass: boolean;
  /** Context: absolute times, counts, query count, memory, the machine. */
  note: string;
}

export interface Timing {
  /** Median milliseconds of the measured runs. */
  median: number;
  samples: number[];
}

/** Runs `work` `warmups` times unmeasured, then `runs` times; the median resists a noisy neighbour. */
export async function timeRuns(
  work: () => Promise<unknown>,
  options: { warmups?: number; runs?: number } = {},
): Promise<Timing> {
  for (let i = 0; i < (options.warmups ?? 1); i++) await work();
  const samples: number[] = [];
  for (let i = 0; i < (options.runs ?? 5); i++) {
    const started = process.hrtime.bigint();
    await work();
    samples.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  return { median: median(samples), samples };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
