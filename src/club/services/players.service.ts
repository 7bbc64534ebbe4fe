import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { ClubCrudService } from '../../common/club-crud.service';
import { ClubRecords } from '../../common/club-records';
import { Page } from '../../common/http/page';
import { ClubContext } from '../auth/club-context';
import {
  CreatePlayerDto,
  ListPlayersQuery,
  PlayerResponse,
  UpdatePlayerDto,
} from '../dtos/player.dto';
import { Player } from '../entities/player.entity';
import { parentRecords } from './parents.service';
import { teamRecords } from './teams.service';

export const playerRecords = new ClubRecords(Player, 'Player');

@Injectable()
export class PlayersService extends ClubCrudService<Player, PlayerResponse> {
  constructor(@InjectDataSource() db: DataSource, audit: AuditService) {
    super(db, audit, playerRecords, 'player', PlayerResponse.of);
  }

  list(club: ClubContext, query: ListPlayersQuery): Promise<Page<PlayerResponse>> {
    return this.listWhere(club, query, {
      parentId: query.parent_id,
      teamId: query.team_id,
      contractStatus: query.contract_status,
    });
  }

  create(club: ClubContext, dto: CreatePlayerDto): Promise<PlayerResponse> {
    return this.insert(
      club,
      async (manager) => {
        await this.checkReferences(manager, club, dto);
        return {
          name: dto.name,
          parentId: dto.parent_id,
          teamId: dto.team_id ?? null,
          contractStatus: dto.contract_status ?? 'none',
          monthlyFeeCents: dto.monthly_fee_cents ?? null,
        };
      },
      dto,
    );
  }

  update(club: ClubContext, id: number, dto: UpdatePlayerDto): Promise<PlayerResponse> {
    return this.patch(
      club,
      id,
      async (_, manager) => {
        await this.checkReferences(manager, club, dto);
        return {
          name: dto.name,
          parentId: dto.parent_id,
          teamId: dto.team_id,
          contractStatus: dto.contract_status,
          monthlyFeeCents: dto.monthly_fee_cents,
        };
      },
      dto,
    );
  }

  /** Another club's parent or team is "not found", exactly like a missing one. */
  private async checkReferences(
    manager: EntityManager,
    club: ClubContext,
    dto: UpdatePlayerDto,
  ): Promise<void> {
    if (dto.parent_id) await parentRecords.find(manager, club.tenantId, dto.parent_id);
    if (dto.team_id) await teamRecords.find(manager, club.tenantId, dto.team_id);
  }
}
