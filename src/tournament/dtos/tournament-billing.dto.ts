import { ApiProperty } from '@nestjs/swagger';
import type { OrderStatus } from '../../orders/entities/order.entity';
import type { CommitmentStatus } from '../entities/tournament-commitment.entity';

export class TournamentBillingPlayer {
  @ApiProperty() player_id!: number;
  @ApiProperty() player_name!: string;
  @ApiProperty({ type: String, nullable: true, description: 'committed, declined or no answer' })
  commitment!: CommitmentStatus | null;
  @ApiProperty() committed!: boolean;
  @ApiProperty({ type: Number, nullable: true }) order_id!: number | null;
  @ApiProperty({ type: String, nullable: true }) order_status!: OrderStatus | null;
  @ApiProperty({ type: Number, nullable: true }) amount_cents!: number | null;
  @ApiProperty({ type: String, nullable: true }) currency!: string | null;
  @ApiProperty() paid_cents!: number;
  @ApiProperty({ type: String, nullable: true }) link_url!: string | null;
  @ApiProperty({ type: String, nullable: true }) link_status!: string | null;
}

export class TournamentBillingTeam {
  @ApiProperty() team_id!: number;
  @ApiProperty() team_name!: string;
  @ApiProperty() product_id!: number;
  @ApiProperty({ type: [TournamentBillingPlayer] }) players!: TournamentBillingPlayer[];
}

export class TournamentBillingTotals {
  @ApiProperty() players!: number;
  @ApiProperty() committed!: number;
  @ApiProperty() declined!: number;
  @ApiProperty({ description: 'Orders not cancelled' }) orders!: number;
  @ApiProperty() billed_cents!: number;
  @ApiProperty() paid_cents!: number;
  @ApiProperty() outstanding_cents!: number;
}

export class TournamentBillingResponse {
  @ApiProperty() tournament_id!: number;
  @ApiProperty({ type: [TournamentBillingTeam] }) teams!: TournamentBillingTeam[];
  @ApiProperty({ type: TournamentBillingTotals }) totals!: TournamentBillingTotals;
}
