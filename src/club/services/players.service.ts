import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { ClubCrudService } from '../../common/club-crud.service';
import { ClubRecords } from '../../common/club-records';
import { Page } from '../../common/http/page';
import { ClubContext } from '../auth/club-context';
import { ContractDates, contractDates } from '../contracts/contract-dates';
import { ContractEndingsHook } from '../contracts/contract-endings.hook';
import {
  CreatePlayerDto,
  ListPlayersQuery,
  PlayerResponse,
  UpdatePlayerDto,
} from '../dtos/player.dto';
import { ContractStatus, Player } from '../entities/player.entity';
import { ClubsService } from './clubs.service';
import { parentRecords } from './parents.service';
import { teamRecords } from './teams.service';

export const playerRecords = new ClubRecords(Player, 'Player');

@Injectable()
export class PlayersService extends ClubCrudService<Player, PlayerResponse> {
  constructor(
    @InjectDataSource() db: DataSource,
    audit: AuditService,
    private readonly clubs: ClubsService,
    private readonly contractEndings: ContractEndingsHook,
  ) {
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
        const contractStatus = dto.contract_status ?? 'none';
        const dates = await this.newContractDates(manager, club, contractStatus);
        return {
          name: dto.name,
          parentId: dto.parent_id,
          teamId: dto.team_id ?? null,
          contractStatus,
          monthlyFeeCents: dto.monthly_fee_cents ?? null,
          ...dates,
        };
      },
      dto,
    );
  }

  update(club: ClubContext, id: number, dto: UpdatePlayerDto): Promise<PlayerResponse> {
    return this.patch(
      club,
      id,
      async (player, manager) => {
        await this.checkReferences(manager, club, dto);
        return {
          name: dto.name,
          parentId: dto.parent_id,
          teamId: dto.team_id,
          contractStatus: dto.contract_status,
          monthlyFeeCents: dto.monthly_fee_cents,
          ...(await this.contractChange(manager, club, player, dto.contract_status)),
        };
      },
      dto,
    );
  }

  /** A new player's contract: signed or terminated today, else no dates. */
  private async newContractDates(
    manager: EntityManager,
    club: ClubContext,
    status: ContractStatus,
  ): Promise<ContractDates> {
    const none = { contractSignedOn: null, contractEndedOn: null };
    if (status === 'none' || status === 'pending') return none;
    return contractDates(
      undefined,
      status,
      none,
      await this.clubs.localToday(manager, club.tenantId),
    );
  }

  /**
   * A new contract status (the player's row is locked): its dates, and for a termination its
   * consequences for the family's bill, in this transaction. The same status again changes
   * nothing, so a repeated or concurrent termination ends the contract once.
   */
  private async contractChange(
    manager: EntityManager,
    club: ClubContext,
    player: Player,
    to: ContractStatus | undefined,
  ): Promise<Partial<Player>> {
    if (to === undefined || to === player.contractStatus) return {};
    const today = await this.clubs.localToday(manager, club.tenantId);
    if (to === 'terminated')
      await this.contractEndings.ended(manager, { club, playerIds: [player.id], today });
    return contractDates(player.contractStatus, to, player, today);
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
