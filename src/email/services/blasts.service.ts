import { createHash } from 'node:crypto';
import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import type { ClubContext } from '../../club/auth/club-context';
import { Tenant } from '../../club/entities/tenant.entity';
import { ClubRecords } from '../../common/club-records';
import { DomainException } from '../../common/errors/domain.exception';
import { Page, PageQuery, toPage } from '../../common/http/page';
import { appConfig, type AppConfig, mailConfig } from '../../config';
import type { MailConfig } from '../../config';
import { JobsService } from '../../jobs/jobs.service';
import { BrandedMailer } from '../../mailer/branded-mailer.service';
import { BlastFamily, BlastRegistry, SkipReason } from '../blast-registry';
import {
  approveBlast,
  blastCounts,
  cancelBlast,
  blastProblems,
  BlastMessageRow,
  claimBlastMessages,
  markInterrupted,
  finishBlast,
  insertBlastMessages,
  recentlySentParents,
  requeueFailed,
} from '../email-log.queries';
import {
  BlastMessageResponse,
  type BlastPreviewResponse,
  BlastSummaryResponse,
  type BlastRequest,
  type BlastResponse,
  type ListBlastMessagesQuery,
  type OneClickBlastResponse,
  type QueryResponse,
} from '../dtos/blast.dto';
import { EmailBlast } from '../entities/email-blast.entity';
import { EmailMessage } from '../entities/email-message.entity';
import { MessageDeliveryService } from './message-delivery.service';
import { lockUntilCommit } from '../../database/advisory-lock';

const blastRecords = new ClubRecords(EmailBlast, 'Blast');
const messageRecords = new ClubRecords(EmailMessage, 'Message');

export const BLAST_QUEUE = 'email.blast';
/**
 * Messages rendered and written per statement at approval: a large club's blast is never all in
 * memory at once, and the next chunk renders while the last one is written.
 */
const MESSAGE_CHUNK = 100;

interface BlastPlan {
  recipients: (BlastFamily & { to: string })[];
  skipped: { family: BlastFamily; reason: SkipReason }[];
  digest: string;
}

type BlastSpec = Pick<EmailBlast, 'queryName' | 'params' | 'testEmail' | 'redirectTo' | 'force'>;

/**
 * Blasts: a preview that fixes who would be mailed, one approval that queues exactly those
 * messages (money rule 10), and a worker that sends each queued message once.
 */
@Injectable()
export class BlastsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly mailer: BrandedMailer,
    private readonly jobs: JobsService,
    private readonly delivery: MessageDeliveryService,
    @Inject(mailConfig.KEY) private readonly config: MailConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    private readonly audit: AuditService,
    private readonly registry: BlastRegistry,
  ) {}

  onModuleInit(): void {
    this.jobs.handle<{ tenantId: number; blastId: number }>(BLAST_QUEUE, (job, stopping) =>
      this.work(job.tenantId, job.blastId, stopping),
    );
  }

  queries(): { data: QueryResponse[] } {
    return {
      data: this.registry.queries.map((query) => ({
        name: query.name,
        description: query.description,
        available: query.available,
        params: query.params,
      })),
    };
  }

  async preview(club: ClubContext, request: BlastRequest): Promise<BlastPreviewResponse> {
    const spec: BlastSpec = {
      queryName: request.query,
      params: this.registry.blastQuery(request.query, request.params).params,
      testEmail: request.test_email ?? null,
      redirectTo: request.redirect_to ?? null,
      force: request.force ?? false,
    };
    const tenant = await this.tenant(this.db.manager, club.tenantId);
    const plan = await this.plan(this.db.manager, club.tenantId, spec);
    const saved = await this.db.getRepository(EmailBlast).save({
      ...spec,
      tenantId: club.tenantId,
      status: 'previewed',
      recipientCount: plan.recipients.length,
      skippedCount: plan.skipped.length,
      sentCount: 0,
      failedCount: 0,
      recipientsDigest: plan.digest,
    });
    const blast = await this.find(this.db.manager, club.tenantId, saved.id);
    const first = plan.recipients[0];
    const sample = first && first.render(this.mailer, tenant, this.bannerFor(spec));
    return {
      ...(await this.view(this.db.manager, blast)),
      skipped: plan.skipped.map(({ family, reason }) => ({
        parent_id: family.parentId,
        parent_name: family.parentName,
        reason,
      })),
      sample: first
        ? {
            parent_id: first.parentId,
            to: first.to,
            subject: sample.subject,
            html: sample.html,
            text: sample.text,
          }
        : null,
    };
  }

  /** The club's one click: preview the outstanding-balance blast and, unless a dry run, send it. */
  async outstandingBalance(
    club: ClubContext,
    options: { testEmail?: string; dryRun?: boolean },
  ): Promise<OneClickBlastResponse> {
    const preview = await this.preview(club, {
      query: 'outstanding_balances',
      test_email: options.testEmail,
    });
    if (options.dryRun || preview.recipient_count === 0) return { ...preview, sent: false };
    const sent = await this.send(club, preview.id);
    return { ...preview, ...sent, sent: true };
  }

  /** One approval, one send: a second or concurrent call is told the blast is already on its way. */
  async send(club: ClubContext, id: number): Promise<BlastResponse> {
    const blast = await this.db.transaction(async (manager) => {
      await lockUntilCommit(manager, `blast-send:${club.tenantId}`);
      const blast = await this.find(manager, club.tenantId, id);
      if (!(await approveBlast(manager, club.tenantId, id)))
        throw new DomainException('invalid_state', `Blast ${id} is already ${blast.status}`, {
          status: blast.status,
        });
      const plan = await this.plan(manager, club.tenantId, blast);
      if (plan.digest !== blast.recipientsDigest)
        throw new DomainException(
          'invalid_state',
          `The families of blast ${id} changed since its preview (a statement changed or was sent meanwhile): preview it again`,
          { status: 'previewed' },
        );
      const tenant = await this.tenant(manager, club.tenantId);
      await this.writeMessages(manager, blast, plan, tenant);
      await this.jobs.send(BLAST_QUEUE, { tenantId: club.tenantId, blastId: id }, { manager });
      return blast;
    });
    this.jobs.wake(BLAST_QUEUE);
    return this.get(club, blast.id);
  }

  async get(club: ClubContext, id: number): Promise<BlastResponse> {
    return this.view(this.db.manager, await this.find(this.db.manager, club.tenantId, id));
  }

  /** Every blast of the club, oldest first; GET /blasts/:id has a blast's counts and failures. */
  async list(club: ClubContext, query: PageQuery): Promise<Page<BlastSummaryResponse>> {
    const { rows, limit } = await blastRecords.page(this.db.manager, club.tenantId, query);
    return toPage(rows, limit, BlastSummaryResponse.of);
  }

  /** Who a blast mailed (or will), and what became of each message. */
  async messages(
    club: ClubContext,
    id: number,
    query: ListBlastMessagesQuery,
  ): Promise<Page<BlastMessageResponse>> {
    await this.find(this.db.manager, club.tenantId, id);
    const { rows, limit } = await messageRecords.page(this.db.manager, club.tenantId, query, {
      blastId: id,
      status: query.status,
    });
    return toPage(rows, limit, BlastMessageResponse.of);
  }

  /** Stops a blast: nothing still queued goes out; what was sent stays sent. */
  async cancel(club: ClubContext, id: number): Promise<BlastResponse> {
    await this.db.transaction(async (manager) => {
      const blast = await blastRecords.find(manager, club.tenantId, id, { lock: true });
      const held = await cancelBlast(manager, club.tenantId, id);
      if (held === undefined)
        throw new DomainException('invalid_state', `Blast ${id} is already ${blast.status}`, {
          status: blast.status,
        });
      await this.audit.record(manager, club, 'email_blast.cancelled', `email_blast:${id}`, {
        held_back: held,
      });
    });
    return this.get(club, id);
  }

  /** Queues the failed messages again; the sent ones are never touched. */
  async retryFailed(club: ClubContext, id: number): Promise<BlastResponse> {
    await this.db.transaction(async (manager) => {
      const blast = await this.find(manager, club.tenantId, id);
      if (blast.status === 'previewed' || blast.status === 'cancelled')
        throw new DomainException(
          'invalid_state',
          blast.status === 'previewed'
            ? `Blast ${id} has not been sent yet`
            : `Blast ${id} was cancelled`,
          { status: blast.status },
        );
      if ((await requeueFailed(manager, club.tenantId, id)) > 0)
        await this.jobs.send(BLAST_QUEUE, { tenantId: club.tenantId, blastId: id }, { manager });
    });
    this.jobs.wake(BLAST_QUEUE);
    return this.get(club, id);
  }

  /** The message as sent, or, before the send, as it would be rendered now. */
  async messageHtml(club: ClubContext, id: number, parentId: number): Promise<string> {
    const blast = await this.find(this.db.manager, club.tenantId, id);
    const message = await this.db.getRepository(EmailMessage).findOneBy({
      tenantId: club.tenantId,
      blastId: id,
      parentId,
    });
    if (message?.html) return message.html;
    const { query, params } = this.registry.blastQuery(blast.queryName, blast.params);
    const [family] = (
      await query.families(
        this.db.manager,
        club.tenantId,
        params,
        { email: blast.testEmail ?? undefined },
        { publicBaseUrl: this.app.publicBaseUrl },
      )
    ).filter((candidate) => candidate.parentId === parentId);
    if (!family || message) throw DomainException.notFound('Message for parent', parentId);
    const tenant = await this.tenant(this.db.manager, club.tenantId);
    return family.render(this.mailer, tenant, this.bannerFor(blast)).html;
  }

  /**
   * The worker: sends every queued message of a blast, a few at a time, each claim committed
   * before its messages go out, then closes it. A rerun after a crash or a shutdown (`stopping`)
   * picks up what is still queued and never resends a claim.
   */
  async work(tenantId: number, blastId: number, stopping?: AbortSignal): Promise<void> {
    const tenant = await this.tenant(this.db.manager, tenantId);
    await markInterrupted(this.db.manager, tenantId, blastId);
    await this.delivery.deliverAll(
      this.db.manager,
      tenant,
      (limit) => claimBlastMessages(this.db.manager, tenantId, blastId, limit),
      stopping,
    );
    await finishBlast(this.db.manager, tenantId, blastId);
  }

  /** The approved blast's rows: each recipient's message as it will be sent, then the skipped. */
  private async writeMessages(
    manager: EntityManager,
    blast: EmailBlast,
    plan: BlastPlan,
    tenant: Tenant,
  ): Promise<void> {
    const banner = this.bannerFor(blast);
    const { emailType } = this.registry.blastQuery(blast.queryName, blast.params).query;
    const mailer = this.mailer;
    function* messageRows(): Generator<BlastMessageRow> {
      for (const family of plan.recipients) {
        const rendered = family.render(mailer, tenant, banner);
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
        writing = insertBlastMessages(manager, blast.tenantId, blast.id, emailType, rows);
      }
    } finally {
      await writing;
    }
  }

  private async plan(
    manager: EntityManager,
    tenantId: number,
    spec: BlastSpec,
  ): Promise<BlastPlan> {
    const { query, params } = this.registry.blastQuery(spec.queryName, spec.params);
    const families = await query.families(
      manager,
      tenantId,
      params,
      { email: spec.testEmail ?? undefined },
      { publicBaseUrl: this.app.publicBaseUrl },
    );
    // A redirected blast is a rehearsal: it neither skips nor counts as the family's statement.
    const recent =
      query.skipsRecentlySent && !spec.force && !spec.redirectTo
        ? await recentlySentParents(
            manager,
            tenantId,
            query.emailType,
            families.filter((family) => !family.skip),
            this.config.minIntervalHours,
          )
        : new Set<number>();
    const plan: BlastPlan = { recipients: [], skipped: [], digest: '' };
    for (const family of families) {
      const reason = family.skip ?? (recent.has(family.parentId) ? 'recently_sent' : undefined);
      if (reason) plan.skipped.push({ family, reason });
      else plan.recipients.push({ ...family, to: spec.redirectTo ?? family.email! });
    }
    plan.digest = createHash('sha256')
      .update(
        plan.recipients
          .map((family) => `${family.parentId}:${family.digest}:${family.to.toLowerCase()}`)
          .sort()
          .join('\n'),
      )
      .digest('hex');
    return plan;
  }

  private bannerFor(spec: BlastSpec): string | undefined {
    return spec.redirectTo
      ? `A test: this message was written for another family and sent only to ${spec.redirectTo}.`
      : undefined;
  }

  private find(manager: EntityManager, tenantId: number, id: number): Promise<EmailBlast> {
    return blastRecords.find(manager, tenantId, id);
  }

  private tenant(manager: EntityManager, tenantId: number): Promise<Tenant> {
    return manager.getRepository(Tenant).findOneByOrFail({ id: tenantId });
  }

  private async view(manager: EntityManager, blast: EmailBlast): Promise<BlastResponse> {
    const counts = await blastCounts(manager, blast.tenantId, blast.id);
    const problems = await blastProblems(manager, blast.tenantId, blast.id);
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
