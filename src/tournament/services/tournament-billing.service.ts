import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ClubContext } from '../../club/auth/club-context';
import type { TournamentBillingResponse } from '../dtos/tournament-billing.dto';
import { TournamentOrdersRepository } from '../repositories/tournament-orders.repository';
import { TournamentsRepository } from '../repositories/tournaments.repository';

/** A tournament's status report: who plays, what each owes and paid, and the totals. */
@Injectable()
export class TournamentBillingService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tournaments: TournamentsRepository,
    private readonly tournamentOrders: TournamentOrdersRepository,
  ) {}

  async report(club: ClubContext, tournamentId: number): Promise<TournamentBillingResponse> {
    await this.tournaments.find(this.db.manager, club.tenantId, tournamentId);
    const rows = await this.tournamentOrders.billingRows(club.tenantId, tournamentId);
    const report: TournamentBillingResponse = {
      tournament_id: tournamentId,
      teams: [],
      totals: {
        players: 0,
        committed: 0,
        declined: 0,
        orders: 0,
        billed_cents: 0,
        paid_cents: 0,
        outstanding_cents: 0,
      },
    };
    for (const row of rows) {
      let team = report.teams.at(-1);
      if (team?.team_id !== row.team_id) {
        team = {
          team_id: row.team_id,
          team_name: row.team_name,
          product_id: row.product_id,
          players: [],
        };
        report.teams.push(team);
      }
      const billed =
        row.order_status && row.order_status !== 'cancelled' ? (row.amount_cents ?? 0) : 0;
      team.players.push({
        player_id: row.player_id,
        player_name: row.player_name,
        commitment: row.commitment,
        committed: row.commitment === 'committed',
        order_id: row.order_id,
        order_status: row.order_status,
        amount_cents: row.amount_cents,
        currency: row.currency,
        paid_cents: row.paid_cents,
        link_url: row.link_url,
        link_status: row.link_status,
      });
      const totals = report.totals;
      totals.players += 1;
      if (row.commitment === 'committed') totals.committed += 1;
      if (row.commitment === 'declined') totals.declined += 1;
      if (billed > 0) totals.orders += 1;
      totals.billed_cents += billed;
      totals.paid_cents += row.paid_cents;
      totals.outstanding_cents += Math.max(0, billed - row.paid_cents);
    }
    return report;
  }
}
