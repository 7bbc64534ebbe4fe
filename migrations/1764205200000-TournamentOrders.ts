import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Which order bills a player's place in a tournament. Re-running the tournament's checkout
 * links finds the order here instead of guessing from product and status; one row per
 * (tournament, player), and an order belongs to at most one tournament place.
 */
export class TournamentOrders1764205200000 implements MigrationInterface {
  name = 'TournamentOrders1764205200000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE tournament_orders (
        id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        tenant_id integer NOT NULL,
        tournament_id integer NOT NULL,
        player_id integer NOT NULL,
        order_id integer NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (tenant_id, tournament_id) REFERENCES tournaments (tenant_id, id) ON DELETE CASCADE,
        FOREIGN KEY (tenant_id, player_id) REFERENCES players (tenant_id, id),
        FOREIGN KEY (tenant_id, order_id) REFERENCES orders (tenant_id, id),
        CONSTRAINT tournament_orders_tournament_player_key UNIQUE (tournament_id, player_id),
        CONSTRAINT tournament_orders_order_key UNIQUE (order_id)
      )
    `);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE tournament_orders`);
  }
}
