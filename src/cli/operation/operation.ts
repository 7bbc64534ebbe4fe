import { DomainException } from '../../common/errors/domain.exception';
import { forEachConcurrently } from '../../common/concurrency';
import type { Cell, OperationItem, OperatorOutcome } from '../../common/operator-outcome';

/** What one item came to: an OperatorOutcome's status, or `failed` when it threw. */
export type ItemStatus = OperatorOutcome['status'] | 'failed';

export interface ItemReport {
  columns: Record<string, Cell>;
  status: ItemStatus;
  result: string;
}

export interface OperationReport {
  command: string;
  commit: boolean;
  /** True when an interrupt stopped the run before every item was taken. */
  interrupted: boolean;
  items: ItemReport[];
  summary: Record<ItemStatus, number>;
  /** How long the items took, planning and start-up excluded: what an operator plans a run by. */
  elapsed_ms: number;
}

export interface Progress {
  start(total: number): void;
  increment(): void;
  stop(): void;
}

/**
 * Runs the items, `concurrency` at a time (Stripe calls inside are paced by StripeService's
 * rate limiter), catching each item's failure so one bad order never stops the rest.
 */
export async function runOperation(
  command: string,
  items: readonly OperationItem[],
  options: {
    commit: boolean;
    concurrency: number;
    progress?: Progress;
    interrupted?: () => boolean;
  },
): Promise<OperationReport> {
  const reports: (ItemReport | undefined)[] = new Array(items.length);
  const started = performance.now();
  options.progress?.start(items.length);
  try {
    await forEachConcurrently(
      items,
      options.concurrency,
      async (item, index) => {
        reports[index] = await runItem(item, options.commit);
        options.progress?.increment();
      },
      options.interrupted,
    );
  } finally {
    options.progress?.stop();
  }
  const done = reports.filter((report): report is ItemReport => report !== undefined);
  return {
    command,
    commit: options.commit,
    interrupted: done.length < items.length,
    items: done,
    summary: summarise(done),
    elapsed_ms: Math.round(performance.now() - started),
  };
}

async function runItem(item: OperationItem, commit: boolean): Promise<ItemReport> {
  try {
    const outcome = await item.run(commit);
    return {
      columns: { ...item.columns, ...outcome.columns },
      status: outcome.status,
      result: outcome.result,
    };
  } catch (error) {
    return { columns: item.columns, status: 'failed', result: failureMessage(error) };
  }
}

export function failureMessage(error: unknown): string {
  if (error instanceof DomainException) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export function summarise(items: readonly ItemReport[]): Record<ItemStatus, number> {
  const summary: Record<ItemStatus, number> = {
    done: 0,
    would_do: 0,
    unchanged: 0,
    skipped: 0,
    failed: 0,
  };
  for (const item of items) summary[item.status]++;
  return summary;
}
