import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { ClubCrudService } from '../../common/club-crud.service';
import { ClubRecords } from '../../common/club-records';
import { Page, PageQuery } from '../../common/http/page';
import { ClubContext } from '../auth/club-context';
import { billingRangeOf, CreateTeamDto, TeamResponse, UpdateTeamDto } from '../dtos/team.dto';
import { Team } from '../entities/team.entity';

export const teamRecords = new ClubRecords(Team, 'Team');

@Injectable()
export class TeamsService extends ClubCrudService<Team, TeamResponse> {
  constructor(@InjectDataSource() db: DataSource, audit: AuditService) {
    super(db, audit, teamRecords, 'team', TeamResponse.of);
  }

  list(club: ClubContext, query: PageQuery): Promise<Page<TeamResponse>> {
    return this.listWhere(club, query);
  }

  create(club: ClubContext, dto: CreateTeamDto): Promise<TeamResponse> {
    return this.insert(
      club,
      () => ({
        name: dto.name,
        season: dto.season,
        monthlyFeeCents: dto.monthly_fee_cents,
        ...billingRangeOf(dto),
      }),
      dto,
    );
  }

  update(club: ClubContext, id: number, dto: UpdateTeamDto): Promise<TeamResponse> {
    return this.patch(
      club,
      id,
      () => ({
        name: dto.name,
        season: dto.season,
        monthlyFeeCents: dto.monthly_fee_cents,
        ...billingRangeOf(dto),
      }),
      dto,
    );
  }
}
