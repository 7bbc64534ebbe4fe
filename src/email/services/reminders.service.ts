import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { StatementsRepository } from '../../billing/repositories/statements.repository';
import type { ClubContext } from '../../club/auth/club-context';
import { Page, PageQuery, toPage } from '../../common/http/page';
import { inQuietHours, localNow } from '../../common/month/billing-month';
import { mailConfig } from '../../config';
import type { MailConfig } from '../../config';
import { lockUntilCommit } from '../../database/advisory-lock';
import { JobsService } from '../../jobs/jobs.service';
import { BrandedMailer } from '../../mailer/branded-mailer.service';
import { ReminderResponse } from '../dtos/reminder.dto';
import type { MessageStatus } from '../entities/email-message.entity';
import { EmailMessagesRepository } from '../repositories/email-messages.repository';
import {
  RemindersRepository,
  ReminderMessageRow,
  RemindingClub,
} from '../repositories/reminders.repository';
import { MessageDeliveryService } from './message-delivery.service';

export const REMINDERS_QUEUE = 'email.reminders';
/** Every hour, on the hour (UTC): each club's quiet hours are checked in its own time zone. */
export const REMINDERS_CRON = '0 * * * *';

const REMINDER_LINE = 'A friendly reminder: the items below are past due.';

/** What one run did in one club. */
export interface ReminderRun {
  tenantId: number;
  /** The club was in its quiet hours: nothing was written or sent. */
  quiet: boolean;
  /** Families whose reminder was written by this run. */
  written: number;
}

/**
 * Reminders (monthly-cycle §4): each step of the club's `reminder_days` reaches each family that
 * owes an overdue item once, in one message per family (its statement with a reminder line),
 * never in the club's quiet hours, never within the minimum interval of another billing mail,
 * and never once the item is paid or cancelled.
 */
@Injectable()
export class RemindersService implements OnModuleInit {
  private readonly logger = new Logger(RemindersService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly mailer: BrandedMailer,
    private readonly jobs: JobsService,
    private readonly delivery: MessageDeliveryService,
    private readonly reminders: RemindersRepository,
    private readonly statements: StatementsRepository,
    private readonly messages: EmailMessagesRepository,
    @Inject(mailConfig.KEY) private readonly config: MailConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.handle(REMINDERS_QUEUE, () => this.sendDue(new Date()).then(() => undefined));
    this.jobs.scheduleCron(REMINDERS_QUEUE, REMINDERS_CRON);
  }

  /** The hourly run, for every club (or one): `now` decides what is due and what is quiet. */
  async sendDue(now: Date, options: { tenantId?: number } = {}): Promise<ReminderRun[]> {
    const runs: ReminderRun[] = [];
    for (const club of await this.reminders.remindingClubs(options.tenantId)) {
      try {
        runs.push(await this.sendDueInClub(club, now));
      } catch (error) {
        // One club's trouble (a mail server refusing its sender) does not hold up the others.
        this.logger.error({ err: error, tenantId: club.id }, 'Reminders failed for a club');
        if (options.tenantId !== undefined) throw error;
      }
    }
    return runs;
  }

  async list(
    club: ClubContext,
    query: PageQuery,
    status?: MessageStatus,
  ): Promise<Page<ReminderResponse>> {
    const { rows, limit } = await this.reminders.page(club.tenantId, query, status);
    return toPage(rows, limit, ReminderResponse.of);
  }

  private async sendDueInClub(club: RemindingClub, now: Date): Promise<ReminderRun> {
    const local = localNow(now, club.timezone);
    if (inQuietHours(local.minutes, club.quiet_hours_start, club.quiet_hours_end))
      return { tenantId: club.id, quiet: true, written: 0 };
    const written = await this.write(club, now, local.date);
    await this.deliver(club.id);
    return { tenantId: club.id, quiet: false, written };
  }

  /**
   * Under the club's reminder lock, reads who is due (so a second run waits, then finds the steps
   * recorded) and writes each family's message with the steps it covers, in one transaction.
   */
  private async write(club: RemindingClub, now: Date, localDate: string): Promise<number> {
    const tenant = await this.messages.sender(club.id);
    return this.db.transaction(async (manager) => {
      await lockUntilCommit(manager, `reminders:${club.id}`);
      const due = await this.reminders.dueFamilies(
        manager,
        club.id,
        now,
        this.config.minIntervalHours,
      );
      if (due.length === 0) return 0;
      const statements = await this.statements.outstandingBalances(manager, club.id, {
        parentIds: due.map((family) => family.parent_id),
      });
      const rows: ReminderMessageRow[] = [];
      for (const statement of statements) {
        // The statement template holds one currency; such a family is told by the club itself.
        if (!statement.email || statement.totals.length !== 1) continue;
        const rendered = this.mailer.render('statement', {
          tenant,
          data: {
            reminder: REMINDER_LINE,
            parentName: statement.parent_name,
            currency: statement.totals[0].currency,
            totalCents: statement.totals[0].amount_cents,
            items: statement.items.map((item) => ({
              playerName: item.player_name,
              itemName: item.item,
              amountCents: item.amount_cents,
              currency: item.currency,
              payUrl: item.pay_url,
            })),
          },
        });
        rows.push({
          parentId: statement.parent_id,
          messageKey: `reminder:${statement.parent_id}:${localDate}`,
          recipient: statement.email,
          subject: rendered.subject,
          html: rendered.html,
          textBody: rendered.text,
          contentDigest: statement.digest,
        });
      }
      const written = await this.reminders.insertMessages(manager, club.id, rows);
      const messageOf = new Map(written.map((row) => [row.parent_id, row.id]));
      await this.reminders.recordSteps(
        manager,
        club.id,
        due.flatMap((family) => {
          const messageId = messageOf.get(family.parent_id);
          if (messageId === undefined) return [];
          return family.steps.map(({ order_id, step }) => ({
            parentId: family.parent_id,
            orderId: order_id,
            step,
            messageId,
          }));
        }),
      );
      return written.length;
    });
  }

  /** Sends the club's queued reminders from the ledger; one paid or cancelled meanwhile is skipped. */
  private async deliver(tenantId: number): Promise<void> {
    await this.reminders.skipNoLongerDue(tenantId);
    const tenant = await this.messages.sender(tenantId);
    await this.delivery.deliverAll(tenant, (limit) =>
      this.messages.claimReminders(tenantId, limit),
    );
  }
}
