import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { ClubContext } from '../../club/auth/club-context';
import { playerRecords } from '../../club/services/players.service';
import { productRecords } from '../../club/services/products.service';
import { teamRecords } from '../../club/services/teams.service';
import { ClubCrudService } from '../../common/club-crud.service';
import { DomainException } from '../../common/errors/domain.exception';
import { Page, PageQuery } from '../../common/http/page';
import {
  CommitmentDto,
  CommitmentResponse,
  CreateTournamentDto,
  TournamentResponse,
  TournamentTeamDto,
  TournamentTeamResponse,
  UpdateTournamentDto,
} from '../dtos/tournament.dto';
import { Tournament } from '../entities/tournament.entity';
import { TournamentsRepository } from '../repositories/tournaments.repository';

/** Tournaments, the teams that play in them (with their fee product) and players' answers. */
@Injectable()
export class TournamentsService extends ClubCrudService<Tournament, TournamentResponse> {
  constructor(
    @InjectDataSource() db: DataSource,
    audit: AuditService,
    private readonly tournaments: TournamentsRepository,
  ) {
    super(db, audit, tournaments.records, 'tournament', TournamentResponse.of);
  }

  list(club: ClubContext, query: PageQuery): Promise<Page<TournamentResponse>> {
    return this.listWhere(club, query);
  }

  create(club: ClubContext, dto: CreateTournamentDto): Promise<TournamentResponse> {
    return this.insert(
      club,
      () => ({ name: dto.name, startsOn: dto.starts_on, location: dto.location ?? null }),
      dto,
    );
  }

  update(club: ClubContext, id: number, dto: UpdateTournamentDto): Promise<TournamentResponse> {
    return this.patch(
      club,
      id,
      () => ({ name: dto.name, startsOn: dto.starts_on, location: dto.location }),
      dto,
    );
  }

  async listTeams(club: ClubContext, tournamentId: number): Promise<TournamentTeamResponse[]> {
    await this.tournaments.find(this.db.manager, club.tenantId, tournamentId);
    const rows = await this.tournaments.teams(club.tenantId, tournamentId);
    return rows.map(TournamentTeamResponse.of);
  }

  /** Adds the team, or changes the product it is billed for this tournament. */
  async putTeam(
    club: ClubContext,
    tournamentId: number,
    dto: TournamentTeamDto,
  ): Promise<TournamentTeamResponse> {
    return this.db.transaction(async (manager) => {
      await this.tournaments.find(manager, club.tenantId, tournamentId, { lock: true });
      await teamRecords.find(manager, club.tenantId, dto.team_id);
      await productRecords.find(manager, club.tenantId, dto.product_id);
      const team = await this.tournaments.putTeam(
        manager,
        club.tenantId,
        tournamentId,
        dto.team_id,
        dto.product_id,
      );
      await this.audit.record(manager, club, 'tournament.team_set', `tournament:${tournamentId}`, {
        ...dto,
      });
      return TournamentTeamResponse.of(team);
    });
  }

  async removeTeam(club: ClubContext, tournamentId: number, teamId: number): Promise<void> {
    await this.db.transaction(async (manager) => {
      await this.tournaments.find(manager, club.tenantId, tournamentId, { lock: true });
      if (!(await this.tournaments.removeTeam(manager, club.tenantId, tournamentId, teamId)))
        throw DomainException.notFound('Tournament team', teamId);
      await this.audit.record(
        manager,
        club,
        'tournament.team_removed',
        `tournament:${tournamentId}`,
        { team_id: teamId },
      );
    });
  }

  async listCommitments(club: ClubContext, tournamentId: number): Promise<CommitmentResponse[]> {
    await this.tournaments.find(this.db.manager, club.tenantId, tournamentId);
    const rows = await this.tournaments.commitments(club.tenantId, tournamentId);
    return rows.map(CommitmentResponse.of);
  }

  /** Records the player's latest answer; billing follows at the next checkout-links run. */
  async commit(
    club: ClubContext,
    tournamentId: number,
    dto: CommitmentDto,
  ): Promise<CommitmentResponse> {
    return this.db.transaction(async (manager) => {
      await this.tournaments.find(manager, club.tenantId, tournamentId);
      await playerRecords.find(manager, club.tenantId, dto.player_id);
      const commitment = await this.tournaments.putCommitment(
        manager,
        club.tenantId,
        tournamentId,
        dto.player_id,
        dto.status,
      );
      await this.audit.record(
        manager,
        club,
        `tournament.${dto.status}`,
        `tournament:${tournamentId}`,
        { player_id: dto.player_id },
      );
      return CommitmentResponse.of(commitment);
    });
  }
}
