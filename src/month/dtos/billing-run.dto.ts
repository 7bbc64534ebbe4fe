import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, Matches } from 'class-validator';
import { MONTH, monthOf } from '../../common/month/billing-month';
import {
  type BillingRunRow,
  SKIP_REASONS,
  type SkipReason,
} from '../repositories/month-run.repository';
import type { PreparedMonth } from '../services/month-run.service';

export class StartBillingRunDto {
  @ApiProperty({ example: '2027-01', description: 'The month to bill' })
  @Matches(MONTH, { message: 'period must be a month, YYYY-MM' })
  period!: string;
  @ApiPropertyOptional({ default: true, description: 'Preview only (the default): writes nothing' })
  @IsOptional()
  @IsBoolean()
  dry_run?: boolean;
}

export class SkippedPlayer {
  @ApiProperty() player_id!: number;
  @ApiProperty() player_name!: string;
  @ApiProperty({ enum: SKIP_REASONS })
  reason!: SkipReason;
}

export class BillingRunResponse {
  @ApiProperty() id!: number;
  @ApiProperty({ example: '2027-01' }) period!: string;
  @ApiProperty({ enum: ['planned', 'running', 'done', 'failed'] }) status!: string;
  @ApiProperty({ example: '2027-01-01' }) run_on!: string;
  @ApiProperty() orders_created!: number;
  @ApiProperty() charged!: number;
  @ApiProperty() charge_failed!: number;
  @ApiProperty() links_minted!: number;
  @ApiProperty({ type: [SkippedPlayer] }) skipped!: SkippedPlayer[];
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ type: Date, nullable: true }) started_at!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) finished_at!: Date | null;

  static of(run: BillingRunRow): BillingRunResponse {
    return {
      id: run.id,
      period: monthOf(run.period),
      status: run.status,
      run_on: run.run_on,
      orders_created: run.orders_created,
      charged: run.charged,
      charge_failed: run.charge_failed,
      links_minted: run.links_minted,
      skipped: run.skipped,
      error: run.error,
      started_at: run.started_at,
      finished_at: run.finished_at,
    };
  }
}

export class PlannedCharge {
  @ApiProperty() player_id!: number;
  @ApiProperty() player_name!: string;
  @ApiProperty() parent_id!: number;
  @ApiProperty() amount_cents!: number;
  @ApiProperty() currency!: string;
}

/** A dry run: what the run would bill and whom it would skip, and why; nothing written. */
export class BillingRunPreview {
  @ApiProperty({ example: '2027-01' }) period!: string;
  @ApiProperty() dry_run!: true;
  @ApiProperty({ type: BillingRunResponse, nullable: true }) run!: BillingRunResponse | null;
  @ApiProperty({ type: [PlannedCharge], description: 'Players the run would bill' })
  would_bill!: PlannedCharge[];
  @ApiProperty({ type: [SkippedPlayer] }) skipped!: SkippedPlayer[];

  static of(prepared: PreparedMonth): BillingRunPreview {
    return {
      period: monthOf(prepared.period),
      dry_run: true,
      run: prepared.run && BillingRunResponse.of(prepared.run),
      would_bill: prepared.roster
        .filter((player) => player.skip_reason === null && player.order_id === null)
        .map((player) => ({
          player_id: player.player_id,
          player_name: player.player_name,
          parent_id: player.parent_id,
          amount_cents: player.fee_cents!,
          currency: player.currency!,
        })),
      skipped: prepared.roster
        .filter((player) => player.skip_reason !== null)
        .map((player) => ({
          player_id: player.player_id,
          player_name: player.player_name,
          reason: player.skip_reason!,
        })),
    };
  }
}

export class ChargeResponse {
  @ApiProperty({ enum: ['done', 'unchanged', 'would_do', 'skipped'] }) status!: string;
  @ApiProperty({ description: 'What happened, in plain words' }) result!: string;
  @ApiProperty({ description: 'The card was refused; the order keeps its Pay Now link' })
  charge_failed!: boolean;
}
