import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { ClubContext } from '../../club/auth/club-context';
import { appConfig, type AppConfig, mailConfig } from '../../config';
import type { MailConfig } from '../../config';
import { BrandedMailer } from '../../mailer/branded-mailer.service';
import { BlastFamily, BlastRegistry, SkipReason } from '../blast-registry';
import {
  type BlastPreviewResponse,
  type BlastRequest,
  BlastResponse,
  type QueryResponse,
} from '../dtos/blast.dto';
import { EmailBlast } from '../entities/email-blast.entity';
import { BlastMessagesRepository } from '../repositories/blast-messages.repository';
import { BlastsRepository } from '../repositories/blasts.repository';
import { EmailMessagesRepository } from '../repositories/email-messages.repository';

/** Who a blast mails now, who it skips and why, and what fixes that list (its digest). */
export interface BlastPlan {
  recipients: (BlastFamily & { to: string })[];
  skipped: { family: BlastFamily; reason: SkipReason }[];
  digest: string;
  /** The `email_messages.email_type` of its messages. */
  emailType: string;
  /** Set on a redirected blast: the rehearsal notice above each message. */
  banner?: string;
}

type BlastSpec = Pick<EmailBlast, 'queryName' | 'params' | 'testEmail' | 'redirectTo' | 'force'>;

/**
 * Planning a blast: the registry's query, the skip rules (money rule 10: no family mailed the
 * same message twice within the interval), and the preview that fixes who would be mailed.
 * The one service that reads the blast registry.
 */
@Injectable()
export class BlastPlanningService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly mailer: BrandedMailer,
    private readonly blasts: BlastsRepository,
    private readonly blastMessages: BlastMessagesRepository,
    private readonly messages: EmailMessagesRepository,
    @Inject(mailConfig.KEY) private readonly config: MailConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    private readonly registry: BlastRegistry,
  ) {}

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
    const tenant = await this.messages.sender(club.tenantId);
    const plan = await this.plan(this.db.manager, club.tenantId, spec);
    const blast = await this.blasts.create({
      ...spec,
      tenantId: club.tenantId,
      recipientCount: plan.recipients.length,
      skippedCount: plan.skipped.length,
      recipientsDigest: plan.digest,
    });
    const first = plan.recipients[0];
    const sample = first && first.render(this.mailer, tenant, plan.banner);
    return {
      ...BlastResponse.of(blast, await this.blastMessages.tally(club.tenantId, blast.id)),
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

  /** Runs the blast's query now and applies the skip rules; `manager` may hold the send's lock. */
  async plan(manager: EntityManager, tenantId: number, spec: BlastSpec): Promise<BlastPlan> {
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
        ? await this.blastMessages.recentlySentParents(
            manager,
            tenantId,
            query.emailType,
            families.filter((family) => !family.skip),
            this.config.minIntervalHours,
          )
        : new Set<number>();
    const plan: BlastPlan = {
      recipients: [],
      skipped: [],
      digest: '',
      emailType: query.emailType,
      banner: bannerFor(spec),
    };
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

  /** A family's message of the blast as it would be rendered now; undefined when not found. */
  async renderNow(blast: EmailBlast, parentId: number): Promise<string | undefined> {
    const { query, params } = this.registry.blastQuery(blast.queryName, blast.params);
    const [family] = (
      await query.families(
        this.db.manager,
        blast.tenantId,
        params,
        { email: blast.testEmail ?? undefined },
        { publicBaseUrl: this.app.publicBaseUrl },
      )
    ).filter((candidate) => candidate.parentId === parentId);
    if (!family) return undefined;
    const tenant = await this.messages.sender(blast.tenantId);
    return family.render(this.mailer, tenant, bannerFor(blast)).html;
  }
}

function bannerFor(spec: BlastSpec): string | undefined {
  return spec.redirectTo
    ? `A test: this message was written for another family and sent only to ${spec.redirectTo}.`
    : undefined;
}
