import { ApiProperty, PartialType } from '@nestjs/swagger';
import { Team } from '../entities/team.entity';
import { AmountField, NameField, SeasonField } from './fields';

export class CreateTeamDto {
  @NameField() name!: string;
  @SeasonField() season!: string;
  @AmountField() monthly_fee_cents!: number;
}

export class UpdateTeamDto extends PartialType(CreateTeamDto, { skipNullProperties: false }) {}

export class TeamResponse {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() season!: string;
  @ApiProperty() monthly_fee_cents!: number;
  @ApiProperty() created_at!: Date;
  @ApiProperty() updated_at!: Date;

  static of(team: Team): TeamResponse {
    return {
      id: team.id,
      name: team.name,
      season: team.season,
      monthly_fee_cents: team.monthlyFeeCents,
      created_at: team.createdAt,
      updated_at: team.updatedAt,
    };
  }
}
