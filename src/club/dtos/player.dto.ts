import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { IdFilter, PageQuery } from '../../common/http/page';
import { CONTRACT_STATUSES, type ContractStatus, Player } from '../entities/player.entity';
import { AmountField, IdField, NameField } from './fields';

export class CreatePlayerDto {
  @NameField() name!: string;
  @IdField('The paying parent') parent_id!: number;
  @IdField('The team; omit for none', false) team_id?: number | null;
  @ApiPropertyOptional({ enum: CONTRACT_STATUSES, default: 'none' })
  @IsOptional()
  @IsIn(CONTRACT_STATUSES)
  contract_status?: ContractStatus;
  @AmountField({
    required: false,
    description: "Overrides the team's monthly fee (cents); null for the team's fee",
  })
  monthly_fee_cents?: number | null;
}

export class UpdatePlayerDto extends PartialType(CreatePlayerDto, { skipNullProperties: false }) {}

export class ListPlayersQuery extends PageQuery {
  @IdFilter() parent_id?: number;
  @IdFilter() team_id?: number;
  @ApiPropertyOptional({ enum: CONTRACT_STATUSES })
  @IsOptional()
  @IsIn(CONTRACT_STATUSES)
  contract_status?: ContractStatus;
}

export class PlayerResponse {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() parent_id!: number;
  @ApiProperty({ type: Number, nullable: true }) team_id!: number | null;
  @ApiProperty({ enum: CONTRACT_STATUSES }) contract_status!: ContractStatus;
  @ApiProperty({ type: Number, nullable: true }) monthly_fee_cents!: number | null;
  @ApiProperty({
    type: String,
    format: 'date',
    nullable: true,
    description: "When the contract was last signed (the club's local date); read-only",
  })
  contract_signed_on!: string | null;
  @ApiProperty({
    type: String,
    format: 'date',
    nullable: true,
    description: "When the contract was terminated (the club's local date); read-only",
  })
  contract_ended_on!: string | null;
  @ApiProperty() created_at!: Date;
  @ApiProperty() updated_at!: Date;

  static of(player: Player): PlayerResponse {
    return {
      id: player.id,
      name: player.name,
      parent_id: player.parentId,
      team_id: player.teamId,
      contract_status: player.contractStatus,
      monthly_fee_cents: player.monthlyFeeCents,
      contract_signed_on: player.contractSignedOn,
      contract_ended_on: player.contractEndedOn,
      created_at: player.createdAt,
      updated_at: player.updatedAt,
    };
  }
}
