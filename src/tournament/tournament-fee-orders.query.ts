import { EntityManager } from 'typeorm';
import type { OrderStatus } from '../orders/entities/order.entity';
import type { CommitmentStatus } from './entities/tournament-commitment.entity';

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

/** Every recorded fee order of the tournament (or of one player in it): one statement. */
export function tournamentFeeOrderRows(
  manager: EntityManager,
  tenantId: number,
  tournamentId: number,
  playerId?: number,
): Promise<TournamentFeeOrderRow[]> {
  return manager.query(
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
