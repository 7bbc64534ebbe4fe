import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ClubRecords } from '../../common/club-records';
import { OWED } from '../../orders/order-status';
import { CommitmentStatus, TournamentCommitment } from '../entities/tournament-commitment.entity';
import { TournamentTeam } from '../entities/tournament-team.entity';
import { Tournament } from '../entities/tournament.entity';

export interface TournamentFeeFamily {
  parent_id: number;
  parent_name: string;
  email: string | null;
  /** Each committed player's unpaid tournament fee that has a pay link. */
  items: {
    player_name: string;
    item: string;
    order_id: number;
    amount_cents: number;
    currency: string;
    pay_url: string;
  }[];
  /** Committed players with no unpaid order and link yet (checkout links not run for them). */
  players_without_link: string[];
  digest: string;
}

/** Tournaments, the teams that play in them and the players' answers. */
@Injectable()
export class TournamentsRepository {
  readonly records = new ClubRecords(Tournament, 'Tournament');

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The club's tournament; another club's id is not found. `lock` holds it until commit. */
  find(
    manager: EntityManager,
    tenantId: number,
    id: number,
    options: { lock?: boolean } = {},
  ): Promise<Tournament> {
    return this.records.find(manager, tenantId, id, options);
  }

  /** Which of these clubs the tournament belongs to, if any. */
  async owningTenant(tournamentId: number, tenantIds: number[]): Promise<number | undefined> {
    const rows = (await this.db.query(
      `SELECT tenant_id FROM tournaments WHERE id = $1 AND tenant_id = ANY($2::int[])`,
      [tournamentId, tenantIds],
    )) as { tenant_id: number }[];
    return rows[0]?.tenant_id;
  }

  teams(tenantId: number, tournamentId: number): Promise<TournamentTeam[]> {
    return this.db.manager.find(TournamentTeam, {
      where: { tenantId, tournamentId },
      order: { id: 'ASC' },
    });
  }

  /** Adds the team, or changes the product it is billed for this tournament. */
  async putTeam(
    manager: EntityManager,
    tenantId: number,
    tournamentId: number,
    teamId: number,
    productId: number,
  ): Promise<TournamentTeam> {
    await manager.query(
      `INSERT INTO tournament_teams (tenant_id, tournament_id, team_id, product_id)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT ON CONSTRAINT tournament_teams_tournament_team_key
       DO UPDATE SET product_id = EXCLUDED.product_id`,
      [tenantId, tournamentId, teamId, productId],
    );
    return manager.findOneByOrFail(TournamentTeam, { tenantId, tournamentId, teamId });
  }

  /** False when the team did not play in the tournament. */
  async removeTeam(
    manager: EntityManager,
    tenantId: number,
    tournamentId: number,
    teamId: number,
  ): Promise<boolean> {
    const result = await manager.delete(TournamentTeam, { tenantId, tournamentId, teamId });
    return !!result.affected;
  }

  commitments(tenantId: number, tournamentId: number): Promise<TournamentCommitment[]> {
    return this.db.manager.find(TournamentCommitment, {
      where: { tenantId, tournamentId },
      order: { playerId: 'ASC' },
    });
  }

  /** Records the player's latest answer. */
  async putCommitment(
    manager: EntityManager,
    tenantId: number,
    tournamentId: number,
    playerId: number,
    status: CommitmentStatus,
  ): Promise<TournamentCommitment> {
    await manager.query(
      `INSERT INTO tournament_commitments (tenant_id, tournament_id, player_id, status)
       VALUES ($1, $2, $3, $4)
       ON CONFLICT ON CONSTRAINT tournament_commitments_tournament_player_key
       DO UPDATE SET status = EXCLUDED.status, updated_at = now()`,
      [tenantId, tournamentId, playerId, status],
    );
    return manager.findOneByOrFail(TournamentCommitment, { tenantId, tournamentId, playerId });
  }

  /**
   * Per family, the tournament fees of its committed players: one statement. In the caller's
   * transaction (a blast's approval).
   */
  committedFamilies(
    manager: EntityManager,
    tenantId: number,
    tournamentId: number,
    filter: { email?: string },
  ): Promise<TournamentFeeFamily[]> {
    return manager.query(
      `WITH places AS (
         SELECT par.id AS parent_id, par.name AS parent_name, par.email, p.name AS player_name,
                pr.name AS item, o.id AS order_id, o.amount_cents, o.currency, pl.url AS pay_url
           FROM tournament_commitments c
           JOIN players p ON p.tenant_id = c.tenant_id AND p.id = c.player_id
           JOIN parents par ON par.tenant_id = p.tenant_id AND par.id = p.parent_id
           LEFT JOIN tournament_orders tor
             ON tor.tenant_id = c.tenant_id AND tor.tournament_id = c.tournament_id AND tor.player_id = c.player_id
           LEFT JOIN orders o
             ON o.tenant_id = tor.tenant_id AND o.id = tor.order_id AND o.status = ANY($4::order_status[])
           LEFT JOIN payment_links pl
             ON pl.tenant_id = o.tenant_id AND pl.order_id = o.id AND pl.status = 'active'
           LEFT JOIN products pr ON pr.tenant_id = o.tenant_id AND pr.id = o.product_id
          WHERE c.tenant_id = $1 AND c.tournament_id = $2 AND c.status = 'committed'
            AND ($3::text IS NULL OR lower(par.email) = lower($3))
       )
       SELECT parent_id, parent_name, email,
              COALESCE(jsonb_agg(jsonb_build_object(
                'player_name', player_name, 'item', item, 'order_id', order_id,
                'amount_cents', amount_cents, 'currency', currency, 'pay_url', pay_url)
                ORDER BY order_id) FILTER (WHERE pay_url IS NOT NULL), '[]') AS items,
              COALESCE(array_agg(player_name ORDER BY player_name) FILTER (WHERE pay_url IS NULL), '{}')
                AS players_without_link,
              md5(COALESCE(string_agg(order_id || ':' || amount_cents || ':' || currency || ':' || pay_url,
                ',' ORDER BY order_id), '')) AS digest
         FROM places
        GROUP BY parent_id, parent_name, email
        ORDER BY parent_id`,
      [tenantId, tournamentId, filter.email ?? null, OWED],
    );
  }
}
