/** A report cell: an operator command's tables and `--json` hold only these. */
export type Cell = string | number | null;

/**
 * What one item of an operator command (a backfill, `reconcile`, a regeneration…) came to:
 * `done` (written), `would_do` (a dry run's plan), `unchanged` (already right) or `skipped`
 * (cannot or need not be done, with the reason). A thrown error is the item's `failed`.
 */
export interface OperatorOutcome {
  status: 'done' | 'would_do' | 'unchanged' | 'skipped';
  /** In the operator's words: what was (or would be) done, or why not. */
  result: string;
  /** Extra columns, e.g. the new order id and pay URL. */
  columns?: Record<string, Cell>;
  /** Only a person can settle it (reconcile: Stripe and Courtside disagree about a payment). */
  needsPerson?: boolean;
}

/** One unit of an operator command's work, e.g. one order that needs a pay link. */
export interface OperationItem {
  /** The columns that name the item: club, order, player… */
  columns: Record<string, Cell>;
  /** Decides and, when `commit`, does the work. Must be safe to run again after any interruption. */
  run: (commit: boolean) => Promise<OperatorOutcome>;
}
