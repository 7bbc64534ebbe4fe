import { ApiProperty, PartialType } from '@nestjs/swagger';
import { Team } from '../entities/team.entity';
import { firstDayOf, monthOf } from '../../common/month/billing-month';
import { AmountField, MonthField, NameField, SeasonField } from './fields';

export class CreateTeamDto {
  @NameField() name!: string;
  @SeasonField() season!: string;
  @AmountField() monthly_fee_cents!: number;
  @MonthField("The season's first billed month; none = every month while the contract is signed")
  billing_starts_on?: string | null;
  @MonthField("The season's last billed month")
  billing_ends_on?: string | null;
}

/** A team's billing range as stored: each month's first day, null kept as null. */
export function billingRangeOf(dto: Partial<CreateTeamDto>) {
  const day = (month: string | null | undefined) =>
    month === undefined ? undefined : month === null ? null : firstDayOf(month)!;
  return { billingStartsOn: day(dto.billing_starts_on), billingEndsOn: day(dto.billing_ends_on) };
}

export class UpdateTeamDto extends PartialType(CreateTeamDto, { skipNullProperties: false }) {}

export class TeamResponse {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() season!: string;
  @ApiProperty() monthly_fee_cents!: number;
  @ApiProperty({ type: String, nullable: true, example: '2026-09' }) billing_starts_on!:
    string | null;
  @ApiProperty({ type: String, nullable: true, example: '2027-06' }) billing_ends_on!:
    string | null;
  @ApiProperty() created_at!: Date;
  @ApiProperty() updated_at!: Date;

  static of(team: Team): TeamResponse {
    return {
      id: team.id,
      name: team.name,
      season: team.season,
      monthly_fee_cents: team.monthlyFeeCents,
      billing_starts_on: team.billingStartsOn && monthOf(team.billingStartsOn),
      billing_ends_on: team.billingEndsOn && monthOf(team.billingEndsOn),
      created_at: team.createdAt,
      updated_at: team.updatedAt,
    };
  }
}
