import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** A player's month of dues as the month run bills it: the fee of the run day, flat. */
export interface MonthOrder {
  playerId: number;
  parentId: number;
  productId: number;
  amountCents: number;
  currency: string;
}

/** The month run's orders: written for the whole club in one statement. */
@Injectable()
export class MonthOrdersRepository {
  /**
   * Inserts the month's orders of every player given, skipping any month already billed (the
   * unique key on the billing period): the number made. One statement, however many players.
   */
  async insert(
    manager: EntityManager,
    tenantId: number,
    run: { id: number; period: string },
    orders: readonly MonthOrder[],
  ): Promise<number> {
    if (orders.length === 0) return 0;
    // TypeORM answers an INSERT … RETURNING with its rows (only UPDATE/DELETE get [rows, count]).
    const inserted = (await manager.query(
      `INSERT INTO orders (tenant_id, player_id, parent_id, product_id, amount_cents, currency, billing_period, billing_run_id)
       SELECT $1, m.player_id, m.parent_id, m.product_id, m.amount_cents, m.currency, $2::date, $3
       FROM unnest($4::int[], $5::int[], $6::int[], $7::int[], $8::text[])
         AS m (player_id, parent_id, product_id, amount_cents, currency)
       ON CONFLICT (tenant_id, player_id, product_id, billing_period)
         WHERE billing_period IS NOT NULL AND status <> 'cancelled' DO NOTHING
       RETURNING id`,
      [
        tenantId,
        run.period,
        run.id,
        orders.map((o) => o.playerId),
        orders.map((o) => o.parentId),
        orders.map((o) => o.productId),
        orders.map((o) => o.amountCents),
        orders.map((o) => o.currency),
      ],
    )) as unknown[];
    return inserted.length;
  }
}
