import type { DataSource } from 'typeorm';

/** The tables that minting, cancelling and re-billing an order write to. */
export const ORDER_TABLES = ['orders', 'payment_links', 'tournament_orders', 'audit_log'];

/** How many rows each table holds: taken before and after a step that must write nothing. */
export async function rowCounts(
  db: DataSource,
  tables: readonly string[],
): Promise<Record<string, number>> {
  const [row] = (await db.query(
    `SELECT ${tables.map((table) => `(SELECT count(*)::int FROM ${table}) AS ${table}`).join(', ')}`,
  )) as Record<string, number>[];
  return row;
}

export interface OrderRow {
  id: number;
  status: string;
  amount_cents: number;
  stripe_payment_link_id: string | null;
  stripe_checkout_url: string | null;
  updated_at: Date;
}

/** An order's status, amount and pay link as the database holds them. */
export async function orderRow(db: DataSource, id: number): Promise<OrderRow> {
  const [row] = (await db.query(
    `SELECT id, status, amount_cents, stripe_payment_link_id, stripe_checkout_url, updated_at
     FROM orders WHERE id = $1`,
    [id],
  )) as OrderRow[];
  return row;
}
