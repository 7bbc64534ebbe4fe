import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ClubRecords } from '../../common/club-records';
import { PageQuery } from '../../common/http/page';
import { EmailMessage, MessageStatus } from '../entities/email-message.entity';

export interface BlastCounts {
  queued: number;
  sent: number;
  failed: number;
  skipped: number;
}

export interface MessageSummary {
  parent_id: number;
  recipient: string | null;
  status: string;
  skip_reason: string | null;
  error: string | null;
  attempts: number;
}

/** One row of a blast: a family's rendered message, or why it gets none. */
export interface BlastMessageRow {
  parentId: number;
  recipient: string | null;
  subject: string;
  html: string | null;
  textBody: string | null;
  contentDigest: string;
  status: 'queued' | 'skipped';
  skipReason: string | null;
}

/** A bound parameter per value: PostgreSQL takes at most 65,535 in one statement. */
const ROWS_PER_INSERT = 1000;
const MESSAGE_ROW_TYPES = ['int', 'text', 'text', 'text', 'text', 'text', 'text', 'text'];

/** A blast's messages: written at approval, checked against recent sends, and shown to admins. */
@Injectable()
export class BlastMessagesRepository {
  private readonly records = new ClubRecords(EmailMessage, 'Message');

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Parents whose message with exactly this digest was queued or sent to them within `hours`. */
  async recentlySentParents(
    manager: EntityManager,
    tenantId: number,
    emailType: string,
    sent: { parentId: number; digest: string }[],
    hours: number,
  ): Promise<Set<number>> {
    if (sent.length === 0 || hours <= 0) return new Set();
    const rows = (await manager.query(
      `SELECT DISTINCT m.parent_id
       FROM email_messages m
       JOIN email_blasts b ON b.tenant_id = m.tenant_id AND b.id = m.blast_id
       JOIN unnest($3::int[], $4::text[]) AS wanted(parent_id, digest)
         ON wanted.parent_id = m.parent_id AND wanted.digest = m.content_digest
       WHERE m.tenant_id = $1 AND m.email_type = $2 AND b.redirect_to IS NULL
         AND m.status IN ('queued', 'sent')
         AND coalesce(m.sent_at, m.created_at) > now() - make_interval(hours => $5)`,
      [tenantId, emailType, sent.map((s) => s.parentId), sent.map((s) => s.digest), hours],
    )) as { parent_id: number }[];
    return new Set(rows.map((row) => row.parent_id));
  }

  /**
   * Writes rows of a blast, up to ROWS_PER_INSERT per statement. Each value is its own parameter
   * (not one array per column): a message's HTML goes to the server as it is, with no escaped
   * copy of every row's HTML built in memory first.
   */
  async insert(
    manager: EntityManager,
    tenantId: number,
    blastId: number,
    emailType: string,
    rows: readonly BlastMessageRow[],
  ): Promise<void> {
    for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
      const slice = rows.slice(start, start + ROWS_PER_INSERT);
      const values = slice.map((_, row) => {
        const first = 4 + row * MESSAGE_ROW_TYPES.length;
        return `(${MESSAGE_ROW_TYPES.map((type, column) => `$${first + column}::${type}`).join(', ')})`;
      });
      await manager.query(
        `INSERT INTO email_messages (tenant_id, blast_id, email_type, attempts, parent_id, recipient,
                                     subject, html, text_body, content_digest, status, skip_reason)
         SELECT $1, $2, $3, 0, r.parent_id, r.recipient, r.subject, r.html, r.text_body,
                r.content_digest, r.status::email_message_status, r.skip_reason
         FROM (VALUES ${values.join(', ')})
           AS r(parent_id, recipient, subject, html, text_body, content_digest, status, skip_reason)`,
        [
          tenantId,
          blastId,
          emailType,
          ...slice.flatMap((row) => [
            row.parentId,
            row.recipient,
            row.subject,
            row.html,
            row.textBody,
            row.contentDigest,
            row.status,
            row.skipReason,
          ]),
        ],
      );
    }
  }

  /** A blast's messages by status, and the ones an admin needs to look at: failed and skipped. */
  async tally(
    tenantId: number,
    blastId: number,
  ): Promise<{ counts: BlastCounts; problems: MessageSummary[] }> {
    const [counts] = (await this.db.query(
      `SELECT count(*) FILTER (WHERE status = 'queued')::int AS queued,
              count(*) FILTER (WHERE status = 'sent')::int AS sent,
              count(*) FILTER (WHERE status = 'failed')::int AS failed,
              count(*) FILTER (WHERE status = 'skipped')::int AS skipped
       FROM email_messages WHERE tenant_id = $1 AND blast_id = $2`,
      [tenantId, blastId],
    )) as BlastCounts[];
    const problems = (await this.db.query(
      `SELECT parent_id, recipient, status, skip_reason, error, attempts
       FROM email_messages
       WHERE tenant_id = $1 AND blast_id = $2 AND status IN ('failed', 'skipped')
       ORDER BY status, parent_id`,
      [tenantId, blastId],
    )) as MessageSummary[];
    return { counts, problems };
  }

  page(
    tenantId: number,
    blastId: number,
    query: PageQuery,
    status?: MessageStatus,
  ): Promise<{ rows: EmailMessage[]; limit: number }> {
    return this.records.page(this.db.manager, tenantId, query, { blastId, status });
  }

  /** The family's message of a blast, if the blast wrote one. */
  forParent(tenantId: number, blastId: number, parentId: number): Promise<EmailMessage | null> {
    return this.db.getRepository(EmailMessage).findOneBy({ tenantId, blastId, parentId });
  }
}
