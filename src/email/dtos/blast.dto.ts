import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsObject, IsOptional } from 'class-validator';
import { EmailField } from '../../club/dtos/fields';
import { PageQuery } from '../../common/http/page';
import type { EmailBlast } from '../entities/email-blast.entity';
import { BLAST_QUERY_NAMES } from '../blast-registry';
import type { BlastCounts, MessageSummary } from '../repositories/blast-messages.repository';
import {
  EmailMessage,
  MESSAGE_STATUSES,
  type MessageStatus,
} from '../entities/email-message.entity';

const booleanQuery = Transform(({ value }: { value: unknown }) =>
  value === 'true' ? true : value === 'false' ? false : value,
);

export class BlastRequest {
  @ApiProperty({ enum: BLAST_QUERY_NAMES }) @IsIn(BLAST_QUERY_NAMES) query!: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: "The query's parameters",
  })
  @IsOptional()
  @IsObject()
  params?: Record<string, unknown>;
  @EmailField('Only the family with this email') test_email?: string;
  @EmailField("Send the families' messages only to this address, marked TEST")
  redirect_to?: string;
  @ApiPropertyOptional({
    description: 'Also mail families whose identical message was sent recently',
  })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class OutstandingBalanceBlastQuery {
  @EmailField('Only the family with this email') test_email?: string;
  @ApiPropertyOptional({ description: 'Preview only; send nothing' })
  @IsOptional()
  @booleanQuery
  @IsBoolean()
  dry_run?: boolean;
}

export class QueryParamResponse {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: ['integer'] }) type!: 'integer';
  @ApiProperty() required!: boolean;
  @ApiProperty() description!: string;
}

export class QueryResponse {
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ description: 'False until the data it mails exists' }) available!: boolean;
  @ApiProperty({ type: [QueryParamResponse] }) params!: QueryParamResponse[];
}

export class QueriesResponse {
  @ApiProperty({ type: [QueryResponse] }) data!: QueryResponse[];
}

class BlastCountsResponse {
  @ApiProperty() queued!: number;
  @ApiProperty() sent!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() skipped!: number;
}

class BlastFailureResponse {
  @ApiProperty() parent_id!: number;
  @ApiProperty({ type: String, nullable: true }) recipient!: string | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty() attempts!: number;
}

export class BlastResponse {
  @ApiProperty() id!: number;
  @ApiProperty() query!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) params!: Record<string, unknown>;
  @ApiProperty({ enum: ['previewed', 'sending', 'sent', 'failed', 'cancelled'] }) status!: string;
  @ApiProperty({ type: String, nullable: true }) test_email!: string | null;
  @ApiProperty({ type: String, nullable: true }) redirect_to!: string | null;
  @ApiProperty() force!: boolean;
  @ApiProperty({ description: 'Families the preview found to mail' }) recipient_count!: number;
  @ApiProperty() skipped_count!: number;
  @ApiProperty({ type: BlastCountsResponse, description: 'Messages by status, once sent' })
  counts!: BlastCountsResponse;
  @ApiProperty({ type: [BlastFailureResponse] }) failures!: BlastFailureResponse[];
  @ApiProperty() recipients_digest!: string;
  @ApiProperty() created_at!: Date;
  @ApiProperty({ type: Date, nullable: true }) approved_at!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) finished_at!: Date | null;

  static of(
    blast: EmailBlast,
    { counts, problems }: { counts: BlastCounts; problems: MessageSummary[] },
  ): BlastResponse {
    return {
      id: blast.id,
      query: blast.queryName,
      params: blast.params,
      status: blast.status,
      test_email: blast.testEmail,
      redirect_to: blast.redirectTo,
      force: blast.force,
      recipient_count: blast.recipientCount,
      skipped_count: blast.skippedCount,
      counts,
      failures: problems
        .filter((message) => message.status === 'failed')
        .map(({ parent_id, recipient, error, attempts }) => ({
          parent_id,
          recipient,
          error,
          attempts,
        })),
      recipients_digest: blast.recipientsDigest,
      created_at: blast.createdAt,
      approved_at: blast.approvedAt,
      finished_at: blast.finishedAt,
    };
  }
}

class SkippedFamilyResponse {
  @ApiProperty() parent_id!: number;
  @ApiProperty() parent_name!: string;
  @ApiProperty({ enum: ['no_email', 'recently_sent', 'mixed_currencies'] }) reason!: string;
}

class SampleMessageResponse {
  @ApiProperty() parent_id!: number;
  @ApiProperty() to!: string;
  @ApiProperty() subject!: string;
  @ApiProperty() html!: string;
  @ApiProperty() text!: string;
}

export class BlastPreviewResponse extends BlastResponse {
  @ApiProperty({ type: [SkippedFamilyResponse] }) skipped!: SkippedFamilyResponse[];
  @ApiProperty({
    type: SampleMessageResponse,
    nullable: true,
    description: "The first family's message",
  })
  sample!: SampleMessageResponse | null;
}

export class OneClickBlastResponse extends BlastPreviewResponse {
  @ApiProperty({ description: 'False for a dry run, or when nobody is left to mail' })
  sent!: boolean;
}

export class ListBlastMessagesQuery extends PageQuery {
  @ApiPropertyOptional({ enum: MESSAGE_STATUSES })
  @IsOptional()
  @IsIn(MESSAGE_STATUSES)
  status?: MessageStatus;
}

/** One family's message of a blast: to whom, and what became of it (no body; see …/html). */
export class BlastMessageResponse {
  @ApiProperty() id!: number;
  @ApiProperty() parent_id!: number;
  @ApiProperty({ type: String, nullable: true }) recipient!: string | null;
  @ApiProperty() subject!: string;
  @ApiProperty({ enum: MESSAGE_STATUSES }) status!: MessageStatus;
  @ApiProperty({ type: String, nullable: true }) skip_reason!: string | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty() attempts!: number;
  @ApiProperty({ type: Date, nullable: true }) sent_at!: Date | null;

  static of(message: EmailMessage): BlastMessageResponse {
    return {
      id: message.id,
      parent_id: message.parentId,
      recipient: message.recipient,
      subject: message.subject,
      status: message.status,
      skip_reason: message.skipReason,
      error: message.error,
      attempts: message.attempts,
      sent_at: message.sentAt,
    };
  }
}

/** A blast in the club's list: what it mailed and when; its counts are on GET /blasts/:id. */
export class BlastSummaryResponse {
  @ApiProperty() id!: number;
  @ApiProperty() query!: string;
  @ApiProperty({ enum: ['previewed', 'sending', 'sent', 'failed', 'cancelled'] }) status!: string;
  @ApiProperty({ type: String, nullable: true }) test_email!: string | null;
  @ApiProperty({ type: String, nullable: true }) redirect_to!: string | null;
  @ApiProperty() recipient_count!: number;
  @ApiProperty({ description: 'As of the end of the send; GET /blasts/:id counts live' })
  sent_count!: number;
  @ApiProperty({ description: 'As of the end of the send; GET /blasts/:id counts live' })
  failed_count!: number;
  @ApiProperty() created_at!: Date;
  @ApiProperty({ type: Date, nullable: true }) approved_at!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) finished_at!: Date | null;

  static of(blast: EmailBlast): BlastSummaryResponse {
    return {
      id: blast.id,
      query: blast.queryName,
      status: blast.status,
      test_email: blast.testEmail,
      redirect_to: blast.redirectTo,
      recipient_count: blast.recipientCount,
      sent_count: blast.sentCount,
      failed_count: blast.failedCount,
      created_at: blast.createdAt,
      approved_at: blast.approvedAt,
      finished_at: blast.finishedAt,
    };
  }
}
