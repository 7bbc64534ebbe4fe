import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ClubContext } from '../../club/auth/club-context';
import { forEachConcurrently } from '../../common/concurrency';
import { DomainException } from '../../common/errors/domain.exception';
import { firstDayOf, localNow, monthOf } from '../../common/month/billing-month';
import { withSessionLockIfFree } from '../../database/advisory-lock';
import { AutopayNoticesService } from '../../email/services/autopay-notices.service';
import { BlastSendingService } from '../../email/services/blast-sending.service';
import { JobsService } from '../../jobs/jobs.service';
import { MonthOrdersRepository } from '../../orders/repositories/month-orders.repository';
import {
  BillingRunRow,
  MonthRunRepository,
  RosterMonth,
  RunOrder,
} from '../repositories/month-run.repository';
import { AutopayService, Settled } from './autopay.service';

const MONTH_RUN_QUEUE = 'billing.month-run';
const MONTH_TICK_QUEUE = 'billing.month-tick';
const MONTH_STATEMENTS_QUEUE = 'billing.month-statements';
/**
 * How long after a run its statements wait: the saved cards' payments arrive by webhook within
 * seconds, and a family whose card paid must not be asked to pay again.
 */
const STATEMENTS_AFTER_SECONDS = 10 * 60;
/** Orders settled at once: the Stripe rate limiter paces the calls, this keeps it fed. */
const SETTLE_CONCURRENCY = 16;

/** A month run as prepared: the run row, every player's fate, and the orders to settle. */
export interface PreparedMonth {
  period: string;
  run: BillingRunRow | null;
  roster: RosterMonth[];
  /** Players a commit would bill (a dry run) or billed just now (a commit). */
  created: number;
  orders: RunOrder[];
}

/**
 * The month run (monthly-cycle.md §2), one service behind the cron tick, the CLI and the admin
 * route: claim the club's run of the period, make every billed player's order in one statement,
 * then settle each order (saved card, else Pay Now link), and mail each family whose card was
 * refused once. Every step can be repeated: a second run, instance or click changes nothing.
 */
@Injectable()
export class MonthRunService implements OnModuleInit {
  private readonly logger = new Logger(MonthRunService.name);

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly runs: MonthRunRepository,
    private readonly monthOrders: MonthOrdersRepository,
    private readonly autopay: AutopayService,
    private readonly notices: AutopayNoticesService,
    private readonly jobs: JobsService,
    private readonly blasts: BlastSendingService,
  ) {}

  onModuleInit(): void {
    this.jobs.handle<{ tenantId: number; month: string }>(MONTH_RUN_QUEUE, (job) =>
      this.runInBackground(job.tenantId, job.month),
    );
    this.jobs.handle(MONTH_TICK_QUEUE, () => this.tick());
    this.jobs.handle<{ tenantId: number }>(MONTH_STATEMENTS_QUEUE, (job) =>
      this.sendStatements(job.tenantId),
    );
    // Every quarter hour: each club is billed once its own local billing moment has passed.
    this.jobs.scheduleCron(MONTH_TICK_QUEUE, '*/15 * * * *');
  }

  /**
   * The run of `month` (`YYYY-MM`). Without `commit`, what it would do, writing nothing; with it,
   * the run is claimed and the orders made (one INSERT for the club), ready to settle.
   */
  async prepare(club: ClubContext, month: string, commit: boolean): Promise<PreparedMonth> {
    const period = firstDayOf(month);
    if (!period)
      throw new DomainException('validation_failed', 'The month must be YYYY-MM', [
        { field: 'period', problems: ['must be a month, YYYY-MM'] },
      ]);
    if (!commit) {
      const run = (await this.runs.find(club.tenantId, period)) ?? null;
      const roster = await this.runs.roster(
        this.db.manager,
        club.tenantId,
        period,
        run?.id ?? null,
      );
      const orders = run ? await this.runs.orders(club.tenantId, run.id) : [];
      return { period, run, roster, orders, created: toBill(roster).length };
    }
    const { timezone } = await this.runs.settings(club.tenantId, new Date());
    const runOn = localNow(new Date(), timezone).date;
    const { run, roster, created } = await this.db.transaction(async (manager) => {
      const claimed = await this.runs.claim(manager, club.tenantId, period, runOn);
      const before = await this.runs.roster(manager, club.tenantId, period, claimed.id);
      const made = await this.monthOrders.insert(manager, club.tenantId, claimed, toBill(before));
      return {
        run: claimed,
        created: made,
        roster: made ? await this.runs.roster(manager, club.tenantId, period, claimed.id) : before,
      };
    });
    return { period, run, roster, created, orders: await this.runs.orders(club.tenantId, run.id) };
  }

  /** One order of the run: charged, or given its Pay Now link (see AutopayService). */
  settle(club: ClubContext, order: RunOrder, commit: boolean): Promise<Settled> {
    return this.autopay.settle(club, order, commit);
  }

  /**
   * After every order is settled: one mail per family whose card was refused (queued), and the
   * run's counts from the rows themselves.
   */
  async finish(
    club: ClubContext,
    prepared: PreparedMonth,
    failedFamilies: Set<number>,
    unsettled = 0,
  ) {
    const run = prepared.run!;
    for (const parentId of failedFamilies)
      await this.notices.enqueue(club.tenantId, run.id, parentId);
    const settings = await this.runs.settings(
      club.tenantId,
      new Date(Date.now() + STATEMENTS_AFTER_SECONDS * 1000),
    );
    if (settings.auto_send_statements && unsettled === 0)
      await this.jobs.send(
        MONTH_STATEMENTS_QUEUE,
        { tenantId: club.tenantId },
        { startAfterSeconds: STATEMENTS_AFTER_SECONDS + settings.quiet_wait_seconds },
      );
    // A run with orders left unsettled stays `failed`: the next tick (or a re-run) finishes it.
    await this.runs.finish(club.tenantId, run.id, {
      status: unsettled > 0 ? 'failed' : 'done',
      error: unsettled > 0 ? `${unsettled} order(s) could not be settled; run it again` : undefined,
      skipped: skippedOf(prepared.roster),
    });
    return (await this.runs.byId(club.tenantId, run.id))!;
  }

  /** The whole run in this process (the cron's job and the admin route's). */
  async run(club: ClubContext, month: string): Promise<BillingRunRow> {
    const prepared = await this.prepare(club, month, true);
    const failed = new Set<number>();
    let unsettled = 0;
    await forEachConcurrently(prepared.orders, SETTLE_CONCURRENCY, async (order) => {
      try {
        const settled = await this.settle(club, order, true);
        if (settled.chargeFailed) failed.add(order.parent_id);
      } catch (error) {
        // One order's failure never stops the others; the next run retries it.
        unsettled++;
        this.logger.warn({ err: error, orderId: order.order_id }, 'Month run: an order failed');
      }
    });
    return this.finish(club, prepared, failed, unsettled);
  }

  /**
   * With `auto_send_statements`: the outstanding-balance blast through the blast ledger, which
   * skips a family already sent this very statement (so a re-run never mails twice).
   */
  private async sendStatements(tenantId: number): Promise<void> {
    const club: ClubContext = { tenantId, actor: 'job:month-statements' };
    await this.blasts.outstandingBalance(club, {});
  }

  /** Asks a worker to run the month (the admin route answers at once). */
  async enqueue(club: ClubContext, month: string): Promise<void> {
    await this.jobs.send(MONTH_RUN_QUEUE, { tenantId: club.tenantId, month });
  }

  /** Clubs whose billing moment has passed in their own timezone get their month run. */
  async tick(): Promise<void> {
    for (const due of await this.runs.clubsDue())
      await this.jobs.send(MONTH_RUN_QUEUE, {
        tenantId: due.tenant_id,
        month: monthOf(due.period),
      });
  }

  /**
   * A duplicate job (two ticks, ten clicks) finds the run in progress and leaves it to its
   * holder; one that comes after finds nothing left to do. A holder that dies releases the lock
   * with its connection, and the next tick finishes the run.
   */
  private async runInBackground(tenantId: number, month: string): Promise<void> {
    const club: ClubContext = { tenantId, actor: 'job:month-run' };
    await withSessionLockIfFree(
      this.db,
      `month-run:${tenantId}:${month}`,
      () => this.run(club, month),
      undefined,
    );
  }
}

function toBill(roster: readonly RosterMonth[]) {
  return roster
    .filter((player) => player.skip_reason === null && player.order_id === null)
    .map((player) => ({
      playerId: player.player_id,
      parentId: player.parent_id,
      productId: player.product_id!,
      amountCents: player.fee_cents!,
      currency: player.currency!,
    }));
}

function skippedOf(roster: readonly RosterMonth[]): BillingRunRow['skipped'] {
  return roster
    .filter((player) => player.skip_reason !== null)
    .map((player) => ({
      player_id: player.player_id,
      player_name: player.player_name,
      reason: player.skip_reason!,
    }));
}
