import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQuery } from '../../common/http/page';
import { MESSAGE_STATUSES, type MessageStatus } from '../entities/email-message.entity';
import type { ReminderListRow } from '../repositories/reminders.repository';

export class ListRemindersQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: MESSAGE_STATUSES,
    description: 'Only reminders whose message is in this status',
  })
  @IsOptional()
  @IsIn(MESSAGE_STATUSES)
  status?: MessageStatus;
}

/** One reminder step of one order that went to a family, and what became of its message. */
export class ReminderResponse {
  @ApiProperty() id!: number;
  @ApiProperty() parent_id!: number;
  @ApiProperty() order_id!: number;
  @ApiProperty({ description: 'The day of reminder_days it stood for' }) step!: number;
  @ApiProperty({ description: 'When the reminder was written to the message ledger' })
  sent_at!: Date;
  @ApiProperty({ type: Number, nullable: true }) email_message_id!: number | null;
  @ApiProperty({ enum: MESSAGE_STATUSES, nullable: true })
  message_status!: MessageStatus | null;

  static of(row: ReminderListRow): ReminderResponse {
    return {
      id: row.id,
      parent_id: row.parent_id,
      order_id: row.order_id,
      step: row.step,
      sent_at: row.sent_at,
      email_message_id: row.email_message_id,
      message_status: row.message_status,
    };
  }
}
