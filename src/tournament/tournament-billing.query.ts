import { EntityManager } from 'typeorm';
import type { CommitmentStatus } from './entities/tournament-commitment.entity';
import type { OrderStatus } from '../orders/entities/order.entity';

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

/** Every player of every team in the tournament, with their answer, order and pay link: one statement. */
export function tournamentBillingRows(
  manager: EntityManager,
  tenantId: number,
  tournamentId: number,
): Promise<TournamentBillingRow[]> {
  return manager.query(
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
