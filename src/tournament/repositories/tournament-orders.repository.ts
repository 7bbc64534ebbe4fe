import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { OrderStatus } from '../../orders/entities/order.entity';
import { OWED } from '../../orders/order-status';
import type { CommitmentStatus } from '../entities/tournament-commitment.entity';

/** A player's answer, where they play, and the order that bills their place (if any). */
export interface TournamentPlace {
  player_id: number;
  commitment: CommitmentStatus;
  team_id: number | null;
  product_id: number | null;
  order_id: number | null;
  order_status: OrderStatus | null;
  /** The order's newest pay link, whatever its status. */
  latest_link_id: number | null;
}

/** A player's recorded fee order in a tournament, with what it should be and what pays it. */
export interface TournamentFeeOrderRow {
  player_id: number;
  player_name: string;
  order_id: number;
  order_status: OrderStatus;
  amount_cents: number;
  currency: string;
  product_id: number;
  commitment: CommitmentStatus | null;
  /** The fee product of the player's team in the tournament now, and its current price. */
  fee_product_id: number | null;
  fee_cents: number | null;
  fee_currency: string | null;
  /** The order's active row in `payment_links`, if any. */
  link_id: number | null;
  link_stripe_id: string | null;
  /** The link the order itself names, and whether `payment_links` knows it at all. */
  order_link_stripe_id: string | null;
  order_link_recorded: boolean;
  session_id: string | null;
}

export interface TournamentBillingRow {
  team_id: number;
  team_name: string;
  product_id: number;
  player_id: number;
  player_name: string;
  commitment: CommitmentStatus | null;
  order_id: number | null;
  order_status: OrderStatus | null;
  amount_cents: number | null;
  currency: string | null;
  paid_cents: number;
  link_url: string | null;
  link_status: string | null;
}

/** The orders that bill players' places in tournaments (`tournament_orders`), and what they read. */
@Injectable()
export class TournamentOrdersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Each committed or declined player of the tournament (or one of them): one statement. */
  places(tenantId: number, tournamentId: number, playerId?: number): Promise<TournamentPlace[]> {
    return this.db.query(
      `SELECT c.player_id, c.status AS commitment, p.team_id, tt.product_id,
              tor.order_id, o.status AS order_status,
              (SELECT l.id FROM payment_links l
                WHERE l.tenant_id = o.tenant_id AND l.order_id = o.id
                ORDER BY l.id DESC LIMIT 1) AS latest_link_id
         FROM tournament_commitments c
         JOIN players p ON p.tenant_id = c.tenant_id AND p.id = c.player_id
         LEFT JOIN tournament_teams tt
           ON tt.tenant_id = c.tenant_id AND tt.tournament_id = c.tournament_id AND tt.team_id = p.team_id
         LEFT JOIN tournament_orders tor
           ON tor.tenant_id = c.tenant_id AND tor.tournament_id = c.tournament_id AND tor.player_id = c.player_id
         LEFT JOIN orders o ON o.tenant_id = tor.tenant_id AND o.id = tor.order_id
        WHERE c.tenant_id = $1 AND c.tournament_id = $2 AND ($3::int IS NULL OR c.player_id = $3)
        ORDER BY c.player_id`,
      [tenantId, tournamentId, playerId ?? null],
    );
  }

  /** The player's oldest owed order for the fee that no tournament records (under lockItem). */
  async unrecordedOrder(
    manager: EntityManager,
    tenantId: number,
    playerId: number,
    productId: number,
  ): Promise<{ id: number; status: OrderStatus } | undefined> {
    const rows = (await manager.query(
      `SELECT o.id, o.status FROM orders o
       WHERE o.tenant_id = $1 AND o.player_id = $2 AND o.product_id = $3 AND o.status = ANY($4::order_status[])
         AND NOT EXISTS (SELECT 1 FROM tournament_orders t WHERE t.tenant_id = o.tenant_id AND t.order_id = o.id)
       ORDER BY o.id LIMIT 1`,
      [tenantId, playerId, productId, OWED],
    )) as { id: number; status: OrderStatus }[];
    return rows[0];
  }

  /** Records the order that bills the player's place, replacing the one recorded before. */
  async record(
    manager: EntityManager,
    tenantId: number,
    tournamentId: number,
    playerId: number,
    orderId: number,
  ): Promise<void> {
    await manager.query(
      `INSERT INTO tournament_orders (tenant_id, tournament_id, player_id, order_id)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT ON CONSTRAINT tournament_orders_tournament_player_key
       DO UPDATE SET order_id = EXCLUDED.order_id`,
      [tenantId, tournamentId, playerId, orderId],
    );
  }

  /** Every recorded fee order of the tournament (or of one player in it): one statement. */
  feeOrders(
    tenantId: number,
    tournamentId: number,
    playerId?: number,
  ): Promise<TournamentFeeOrderRow[]> {
    return this.db.query(
      `SELECT tor.player_id, p.name AS player_name, o.id AS order_id, o.status AS order_status,
              o.amount_cents, o.currency, o.product_id, c.status AS commitment,
              tt.product_id AS fee_product_id, fee.price_cents AS fee_cents, fee.currency AS fee_currency,
              link.id AS link_id, link.stripe_payment_link_id AS link_stripe_id,
              o.stripe_payment_link_id AS order_link_stripe_id,
              EXISTS (SELECT 1 FROM payment_links known
                       WHERE known.tenant_id = o.tenant_id
                         AND known.stripe_payment_link_id = o.stripe_payment_link_id) AS order_link_recorded,
              o.stripe_checkout_session_id AS session_id
         FROM tournament_orders tor
         JOIN orders o ON o.tenant_id = tor.tenant_id AND o.id = tor.order_id
         JOIN players p ON p.tenant_id = tor.tenant_id AND p.id = tor.player_id
         LEFT JOIN tournament_commitments c
           ON c.tenant_id = tor.tenant_id AND c.tournament_id = tor.tournament_id AND c.player_id = tor.player_id
         LEFT JOIN tournament_teams tt
           ON tt.tenant_id = tor.tenant_id AND tt.tournament_id = tor.tournament_id AND tt.team_id = p.team_id
         LEFT JOIN products fee ON fee.tenant_id = tt.tenant_id AND fee.id = tt.product_id
         LEFT JOIN payment_links link
           ON link.tenant_id = o.tenant_id AND link.order_id = o.id AND link.status = 'active'
        WHERE tor.tenant_id = $1 AND tor.tournament_id = $2 AND ($3::int IS NULL OR tor.player_id = $3)
        ORDER BY tor.player_id`,
      [tenantId, tournamentId, playerId ?? null],
    );
  }

  /** Every player of every team in the tournament, with their answer, order and pay link: one statement. */
  billingRows(tenantId: number, tournamentId: number): Promise<TournamentBillingRow[]> {
    return this.db.query(
      `SELECT tt.team_id, t.name AS team_name, tt.product_id, p.id AS player_id, p.name AS player_name,
              c.status AS commitment, o.id AS order_id, o.status AS order_status, o.amount_cents,
              o.currency, COALESCE(o.amount_paid_cents, 0)::int AS paid_cents,
              pl.url AS link_url, pl.status AS link_status
         FROM tournament_teams tt
         JOIN teams t ON t.tenant_id = tt.tenant_id AND t.id = tt.team_id
         JOIN players p ON p.tenant_id = tt.tenant_id AND p.team_id = tt.team_id
         LEFT JOIN tournament_commitments c
           ON c.tenant_id = tt.tenant_id AND c.tournament_id = tt.tournament_id AND c.player_id = p.id
         LEFT JOIN tournament_orders tor
           ON tor.tenant_id = tt.tenant_id AND tor.tournament_id = tt.tournament_id AND tor.player_id = p.id
         LEFT JOIN orders o ON o.tenant_id = tor.tenant_id AND o.id = tor.order_id
         LEFT JOIN LATERAL (
           SELECT l.url, l.status FROM payment_links l
            WHERE l.tenant_id = o.tenant_id AND l.order_id = o.id
            ORDER BY (l.status = 'active') DESC, l.id DESC LIMIT 1
         ) pl ON true
        WHERE tt.tenant_id = $1 AND tt.tournament_id = $2
        ORDER BY t.name, tt.team_id, p.name, p.id`,
      [tenantId, tournamentId],
    );
  }
}
