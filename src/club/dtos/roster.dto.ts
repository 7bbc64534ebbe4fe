import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { CONTRACT_STATUSES, type ContractStatus } from '../entities/player.entity';
import { EmailField, NameField, PhoneField, SeasonField } from './fields';

/** The columns of a roster CSV; a row is validated like any API input. */
export const ROSTER_COLUMNS = [
  'parent_name',
  'parent_email',
  'parent_phone',
  'player_name',
  'team_name',
  'team_season',
  'team_monthly_fee_cents',
  'contract_status',
] as const;

export class RosterRow {
  @NameField() parent_name!: string;
  @EmailField() parent_email?: string;
  @PhoneField() parent_phone?: string;
  @NameField() player_name!: string;
  @NameField(false) team_name?: string;
  @SeasonField(false) team_season?: string;
  @IsOptional()
  @Matches(/^\d{1,8}$/, { message: 'team_monthly_fee_cents must be a whole number of cents' })
  team_monthly_fee_cents?: string;
  @IsOptional() @IsIn(CONTRACT_STATUSES) contract_status?: ContractStatus;
}

export class RosterRejection {
  @ApiProperty({ description: 'Line number in the CSV, the header being line 1' }) line!: number;
  @ApiProperty({ type: [String] }) errors!: string[];
}

class RosterCounts {
  @ApiProperty() parents!: number;
  @ApiProperty() teams!: number;
  @ApiProperty() players!: number;
}

export class RosterImportReport {
  @ApiProperty() rows!: number;
  @ApiProperty({ type: RosterCounts }) created!: RosterCounts;
  @ApiProperty({ type: RosterCounts }) updated!: RosterCounts;
  @ApiProperty() unchanged_rows!: number;
  @ApiProperty({ type: [RosterRejection] }) rejected!: RosterRejection[];
}
