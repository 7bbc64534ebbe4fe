import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { QueryInt } from '../../common/http/page';
import { EVENT_OUTCOMES, type EventOutcome, StripeEvent } from '../entities/stripe-event.entity';

export class ListWebhookEventsQuery {
  @QueryInt(1, 100, 'Page size, 25 by default') limit?: number;
  @ApiPropertyOptional({ description: 'Return events received before this event (an evt_… id)' })
  @IsOptional()
  @Matches(/^evt_\w{1,250}$/)
  starting_after?: string;
  @ApiPropertyOptional({ enum: EVENT_OUTCOMES })
  @IsOptional()
  @IsIn(EVENT_OUTCOMES)
  outcome?: EventOutcome;
  @ApiPropertyOptional({ example: 'checkout.session.completed' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  type?: string;
}

export class WebhookEventResponse {
  @ApiProperty() id!: string;
  @ApiProperty() type!: string;
  @ApiProperty({ enum: EVENT_OUTCOMES, nullable: true }) outcome!: EventOutcome | null;
  @ApiProperty({ type: String, nullable: true, description: 'Why, for anything but processed' })
  note!: string | null;
  @ApiProperty({ description: 'Deliveries received, duplicates included' }) attempts!: number;
  @ApiProperty() received_at!: Date;
  @ApiProperty({ type: Date, nullable: true }) processed_at!: Date | null;

  static of(event: StripeEvent): WebhookEventResponse {
    return {
      id: event.id,
      type: event.type,
      outcome: event.outcome,
      note: event.error,
      attempts: event.attempts,
      received_at: event.receivedAt,
      processed_at: event.processedAt,
    };
  }
}
