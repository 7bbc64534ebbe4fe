import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { ClubRecords } from '../../common/club-records';
import { PageQuery } from '../../common/http/page';
import { EmailBlast } from '../entities/email-blast.entity';

/** A new blast, as its preview fixed it. */
export type NewBlast = Pick<
  EmailBlast,
  | 'tenantId'
  | 'queryName'
  | 'params'
  | 'testEmail'
  | 'redirectTo'
  | 'force'
  | 'recipientCount'
  | 'skippedCount'
  | 'recipientsDigest'
>;

/**
 * A blast's row and the steps of its life: previewed, approved (sending), then sent, failed or
 * cancelled. Each step is a conditional UPDATE, so a blast never takes the same step twice.
 */
@Injectable()
export class BlastsRepository {
  private readonly records = new ClubRecords(EmailBlast, 'Blast');

  constructor(@InjectDataSource() private readonly db: DataSource) {}

  find(
    manager: EntityManager,
    tenantId: number,
    id: number,
    options: { lock?: boolean } = {},
  ): Promise<EmailBlast> {
    return this.records.find(manager, tenantId, id, options);
  }

  page(tenantId: number, query: PageQuery): Promise<{ rows: EmailBlast[]; limit: number }> {
    return this.records.page(this.db.manager, tenantId, query);
  }

  /** Saves a previewed blast and reads it back whole (with its `created_at`). */
  async create(blast: NewBlast): Promise<EmailBlast> {
    const saved = await this.db.getRepository(EmailBlast).save({
      ...blast,
      status: 'previewed',
      sentCount: 0,
      failedCount: 0,
    });
    return this.find(this.db.manager, blast.tenantId, saved.id);
  }

  /** Moves a previewed blast to sending; false when it had already left `previewed`. */
  async approve(manager: EntityManager, tenantId: number, blastId: number): Promise<boolean> {
    const [, count] = (await manager.query(
      `UPDATE email_blasts SET status = 'sending', approved_at = now()
       WHERE tenant_id = $1 AND id = $2 AND status = 'previewed'`,
      [tenantId, blastId],
    )) as [unknown, number];
    return count === 1;
  }

  /**
   * Stops a blast that has not finished: it ends `cancelled` and its queued messages are skipped
   * as `cancelled`. A message a worker has already claimed still goes out (it may be on the
   * wire). Answers how many messages were held back, or undefined when the blast was already over.
   */
  async cancel(
    manager: EntityManager,
    tenantId: number,
    blastId: number,
  ): Promise<number | undefined> {
    const stopped = (await manager.query(
      `UPDATE email_blasts SET status = 'cancelled', finished_at = now()
       WHERE tenant_id = $1 AND id = $2 AND status IN ('previewed', 'sending') RETURNING id`,
      [tenantId, blastId],
    )) as [unknown[], number];
    if (stopped[1] === 0) return undefined;
    const [, held] = (await manager.query(
      `UPDATE email_messages SET status = 'skipped', skip_reason = 'cancelled'
       WHERE tenant_id = $1 AND blast_id = $2 AND status = 'queued'`,
      [tenantId, blastId],
    )) as [unknown, number];
    return held;
  }

  /** Puts a blast's failed messages back in the queue and reopens it; answers how many. */
  async requeueFailed(manager: EntityManager, tenantId: number, blastId: number): Promise<number> {
    const [, count] = (await manager.query(
      `UPDATE email_messages SET status = 'queued'
       WHERE tenant_id = $1 AND blast_id = $2 AND status = 'failed'`,
      [tenantId, blastId],
    )) as [unknown, number];
    if (count > 0)
      await manager.query(
        `UPDATE email_blasts SET status = 'sending', finished_at = NULL
         WHERE tenant_id = $1 AND id = $2 AND status IN ('sent', 'failed')`,
        [tenantId, blastId],
      );
    return count;
  }

  /** Closes a blast once nothing is queued: sent, or failed when not one message went out. */
  async finish(tenantId: number, blastId: number): Promise<void> {
    await this.db.query(
      `WITH counts AS (
         SELECT count(*) FILTER (WHERE status IN ('queued', 'sending'))::int AS queued,
                count(*) FILTER (WHERE status = 'sent')::int AS sent,
                count(*) FILTER (WHERE status = 'failed')::int AS failed
         FROM email_messages WHERE tenant_id = $1 AND blast_id = $2
       )
       UPDATE email_blasts b
       SET sent_count = c.sent, failed_count = c.failed,
           status = CASE WHEN c.sent = 0 AND c.failed > 0 THEN 'failed' ELSE 'sent' END::email_blast_status,
           finished_at = now()
       FROM counts c
       WHERE b.tenant_id = $1 AND b.id = $2 AND b.status = 'sending' AND c.queued = 0`,
      [tenantId, blastId],
    );
  }
}
