import { Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import type { ClubContext } from '../../club/auth/club-context';
import { Tenant } from '../../club/entities/tenant.entity';
import { DomainException } from '../../common/errors/domain.exception';
import { lockUntilCommit } from '../../database/advisory-lock';
import { JobsService } from '../../jobs/jobs.service';
import { BrandedMailer } from '../../mailer/branded-mailer.service';
import type { BlastResponse, OneClickBlastResponse } from '../dtos/blast.dto';
import { EmailBlast } from '../entities/email-blast.entity';
import {
  BlastMessageRow,
  BlastMessagesRepository,
} from '../repositories/blast-messages.repository';
import { BlastsRepository } from '../repositories/blasts.repository';
import { EmailMessagesRepository } from '../repositories/email-messages.repository';
import { BlastPlan, BlastPlanningService } from './blast-planning.service';
import { BlastViewsService } from './blast-views.service';
import { MessageDeliveryService } from './message-delivery.service';

export const BLAST_QUEUE = 'email.blast';
/**
 * Messages rendered and written per statement at approval: a large club's blast is never all in
 * memory at once, and the next chunk renders while the last one is written.
 */
const MESSAGE_CHUNK = 100;

/**
 * Sending blasts: one approval that queues exactly the previewed messages (money rule 10), a
 * worker that sends each queued message once, and an admin's cancel or retry of the failed.
 */
@Injectable()
export class BlastSendingService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly mailer: BrandedMailer,
    private readonly jobs: JobsService,
    private readonly delivery: MessageDeliveryService,
    private readonly audit: AuditService,
    private readonly planning: BlastPlanningService,
    private readonly views: BlastViewsService,
    private readonly blasts: BlastsRepository,
    private readonly blastMessages: BlastMessagesRepository,
    private readonly messages: EmailMessagesRepository,
  ) {}

  onModuleInit(): void {
    this.jobs.handle<{ tenantId: number; blastId: number }>(BLAST_QUEUE, (job, stopping) =>
      this.work(job.tenantId, job.blastId, stopping),
    );
  }

  /** The club's one click: preview the outstanding-balance blast and, unless a dry run, send it. */
  async outstandingBalance(
    club: ClubContext,
    options: { testEmail?: string; dryRun?: boolean },
  ): Promise<OneClickBlastResponse> {
    const preview = await this.planning.preview(club, {
      query: 'outstanding_balances',
      test_email: options.testEmail,
    });
    if (options.dryRun || preview.recipient_count === 0) return { ...preview, sent: false };
    const sent = await this.send(club, preview.id);
    return { ...preview, ...sent, sent: true };
  }

  /** One approval, one send: a second or concurrent call is told the blast is already on its way. */
  async send(club: ClubContext, id: number): Promise<BlastResponse> {
    // The club's brand is read first: the transaction holds the lock and waits on nothing else.
    const tenant = await this.messages.sender(club.tenantId);
    const blast = await this.db.transaction(async (manager) => {
      await lockUntilCommit(manager, `blast-send:${club.tenantId}`);
      const blast = await this.blasts.find(manager, club.tenantId, id);
      if (!(await this.blasts.approve(manager, club.tenantId, id)))
        throw new DomainException('invalid_state', `Blast ${id} is already ${blast.status}`, {
          status: blast.status,
        });
      const plan = await this.planning.plan(manager, club.tenantId, blast);
      if (plan.digest !== blast.recipientsDigest)
        throw new DomainException(
          'invalid_state',
          `The families of blast ${id} changed since its preview (a statement changed or was sent meanwhile): preview it again`,
          { status: 'previewed' },
        );
      await this.writeMessages(manager, blast, plan, tenant);
      await this.jobs.send(BLAST_QUEUE, { tenantId: club.tenantId, blastId: id }, { manager });
      return blast;
    });
    this.jobs.wake(BLAST_QUEUE);
    return this.views.get(club, blast.id);
  }

  /** Stops a blast: nothing still queued goes out; what was sent stays sent. */
  async cancel(club: ClubContext, id: number): Promise<BlastResponse> {
    await this.db.transaction(async (manager) => {
      const blast = await this.blasts.find(manager, club.tenantId, id, { lock: true });
      const held = await this.blasts.cancel(manager, club.tenantId, id);
      if (held === undefined)
        throw new DomainException('invalid_state', `Blast ${id} is already ${blast.status}`, {
          status: blast.status,
        });
      await this.audit.record(manager, club, 'email_blast.cancelled', `email_blast:${id}`, {
        held_back: held,
      });
    });
    return this.views.get(club, id);
  }

  /** Queues the failed messages again; the sent ones are never touched. */
  async retryFailed(club: ClubContext, id: number): Promise<BlastResponse> {
    await this.db.transaction(async (manager) => {
      const blast = await this.blasts.find(manager, club.tenantId, id);
      if (blast.status === 'previewed' || blast.status === 'cancelled')
        throw new DomainException(
          'invalid_state',
          blast.status === 'previewed'
            ? `Blast ${id} has not been sent yet`
            : `Blast ${id} was cancelled`,
          { status: blast.status },
        );
      if ((await this.blasts.requeueFailed(manager, club.tenantId, id)) > 0)
        await this.jobs.send(BLAST_QUEUE, { tenantId: club.tenantId, blastId: id }, { manager });
    });
    this.jobs.wake(BLAST_QUEUE);
    return this.views.get(club, id);
  }

  /**
   * The worker: sends every queued message of a blast, a few at a time, each claim committed
   * before its messages go out, then closes it. A rerun after a crash or a shutdown (`stopping`)
   * picks up what is still queued and never resends a claim.
   */
  async work(tenantId: number, blastId: number, stopping?: AbortSignal): Promise<void> {
    const tenant = await this.messages.sender(tenantId);
    await this.messages.markInterrupted(tenantId, blastId);
    await this.delivery.deliverAll(
      tenant,
      (limit) => this.messages.claimBlastMessages(tenantId, blastId, limit),
      stopping,
    );
    await this.blasts.finish(tenantId, blastId);
  }

  /** The approved blast's rows: each recipient's message as it will be sent, then the skipped. */
  private async writeMessages(
    manager: EntityManager,
    blast: EmailBlast,
    plan: BlastPlan,
    tenant: Tenant,
  ): Promise<void> {
    const mailer = this.mailer;
    function* messageRows(): Generator<BlastMessageRow> {
      for (const family of plan.recipients) {
        const rendered = family.render(mailer, tenant, plan.banner);
        yield {
          parentId: family.parentId,
          recipient: family.to,
          subject: rendered.subject,
          html: rendered.html,
          textBody: rendered.text,
          contentDigest: family.digest,
          status: 'queued',
          skipReason: null,
        };
      }
      for (const { family, reason } of plan.skipped)
        yield {
          parentId: family.parentId,
          recipient: family.email,
          subject: '',
          html: null,
          textBody: null,
          contentDigest: family.digest,
          status: 'skipped',
          skipReason: reason,
        };
    }
    // The next chunk renders while the last one is inserted; whatever fails, the insert in
    // flight is awaited before the transaction rolls back (and its error never goes unheard).
    let writing = Promise.resolve();
    try {
      for (const rows of inChunks(messageRows(), MESSAGE_CHUNK)) {
        await writing;
        writing = this.blastMessages.insert(
          manager,
          blast.tenantId,
          blast.id,
          plan.emailType,
          rows,
        );
      }
    } finally {
      await writing;
    }
  }
}

function* inChunks<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let chunk: T[] = [];
  for (const item of items) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length > 0) yield chunk;
}
