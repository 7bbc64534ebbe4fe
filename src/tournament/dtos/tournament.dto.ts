import { ApiProperty, ApiPropertyOptional, PartialType } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { IdField, NameField, SingleLine, Trimmed } from '../../club/dtos/fields';
import type { OrderStatus } from '../../orders/entities/order.entity';
import { PaymentLinkResponse } from '../../payment-links/dtos/payment-link.dto';
import {
  COMMITMENT_STATUSES,
  type CommitmentStatus,
  TournamentCommitment,
} from '../entities/tournament-commitment.entity';
import { TournamentTeam } from '../entities/tournament-team.entity';
import { Tournament } from '../entities/tournament.entity';

export class CreateTournamentDto {
  @NameField() name!: string;
  @ApiProperty({ example: '2026-12-05', description: 'First day (YYYY-MM-DD)' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'starts_on must be a date as YYYY-MM-DD' })
  @IsISO8601({ strict: true })
  starts_on!: string;
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200 })
  @IsOptional()
  @Trimmed()
  @IsString()
  @MaxLength(200)
  @SingleLine()
  location?: string | null;
}

export class UpdateTournamentDto extends PartialType(CreateTournamentDto, {
  skipNullProperties: false,
}) {}

export class TournamentResponse {
  @ApiProperty() id!: number;
  @ApiProperty() name!: string;
  @ApiProperty() starts_on!: string;
  @ApiProperty({ type: String, nullable: true }) location!: string | null;
  @ApiProperty() created_at!: Date;

  static of(tournament: Tournament): TournamentResponse {
    return {
      id: tournament.id,
      name: tournament.name,
      starts_on: tournament.startsOn,
      location: tournament.location,
      created_at: tournament.createdAt,
    };
  }
}

export class TournamentTeamDto {
  @IdField('The team that plays') team_id!: number;
  @IdField("The product each of the team's committed players is billed") product_id!: number;
}

export class TournamentTeamResponse {
  @ApiProperty() id!: number;
  @ApiProperty() tournament_id!: number;
  @ApiProperty() team_id!: number;
  @ApiProperty() product_id!: number;

  static of(row: TournamentTeam): TournamentTeamResponse {
    return {
      id: row.id,
      tournament_id: row.tournamentId,
      team_id: row.teamId,
      product_id: row.productId,
    };
  }
}

export class CommitmentDto {
  @IdField('The player answering') player_id!: number;
  @ApiProperty({ enum: COMMITMENT_STATUSES })
  @IsIn(COMMITMENT_STATUSES)
  status!: CommitmentStatus;
}

export class CommitmentResponse {
  @ApiProperty() id!: number;
  @ApiProperty() tournament_id!: number;
  @ApiProperty() player_id!: number;
  @ApiProperty({ enum: COMMITMENT_STATUSES }) status!: CommitmentStatus;
  @ApiProperty() updated_at!: Date;

  static of(row: TournamentCommitment): CommitmentResponse {
    return {
      id: row.id,
      tournament_id: row.tournamentId,
      player_id: row.playerId,
      status: row.status,
      updated_at: row.updatedAt,
    };
  }
}

export class TournamentCheckoutItem {
  @ApiProperty() player_id!: number;
  @ApiProperty() team_id!: number;
  @ApiProperty() order_id!: number;
  @ApiProperty() order_status!: OrderStatus;
  @ApiProperty({ type: PaymentLinkResponse, nullable: true }) link!: PaymentLinkResponse | null;
  @ApiProperty({ description: 'Whether this run made the order or minted the link' })
  created!: boolean;
}

export class TournamentCancellation {
  @ApiProperty() player_id!: number;
  @ApiProperty() order_id!: number;
  @ApiProperty({ type: Number, nullable: true }) deactivated_link_id!: number | null;
}

export class TournamentCheckoutLinksResponse {
  @ApiProperty({ type: [TournamentCheckoutItem] }) data!: TournamentCheckoutItem[];
  @ApiProperty({ type: [TournamentCancellation] }) cancelled!: TournamentCancellation[];
  @ApiProperty({ description: 'Committed players who are on none of the tournament teams' })
  skipped!: { player_id: number; reason: string }[];
}
