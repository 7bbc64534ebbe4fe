import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import type { Pool } from 'pg';
import PgBoss from 'pg-boss';
import { EntityManager } from 'typeorm';
import { appConfig, type AppConfig } from '../config';
import { withSessionLockOn } from '../database/advisory-lock';
import { preparedQuery } from '../database/prepared-query';

export const JOBS_OPTIONS = Symbol('JOBS_OPTIONS');

export interface JobsOptions {
  databaseUrl: string;
  /** The HTTP service works the queues; a CLI command only sends. */
  runWorkers: boolean;
}

/**
 * A job's work. `stopping` is aborted when the service shuts down: a handler with a long loop
 * (a blast) stops taking more work and throws `StoppedForShutdown`, so the job runs again after
 * the restart and carries on where it stopped.
 */
type Handler<T> = (data: T, stopping: AbortSignal) => Promise<void>;

export class StoppedForShutdown extends Error {
  constructor() {
    super('Stopped for a shutdown before the work was done; it carries on after the restart');
    this.name = 'StoppedForShutdown';
  }
}

/** Every job is retried with backoff: its handler talks to Stripe or a mail server. */
const RETRY = { retryLimit: 10, retryDelay: 2, retryBackoff: true } as const;

/**
 * A scheduled job runs again at its next tick: one retry covers a blip without piling runs up.
 */
const RETRY_SCHEDULED = { retryLimit: 1, retryDelay: 60 } as const;

/**
 * Jobs a worker takes per poll. A worker waits for its next poll after each fetch, so one
 * job per fetch would leave a burst of payments' receipts and link deactivations queued for
 * an hour; Stripe calls and mail keep their own pace (rate limiter, mailer cap).
 */
const JOBS_PER_POLL = 20;

/**
 * Of SHUTDOWN_GRACE_MS, what is kept after running jobs have had their time: pg-boss must hand
 * back the jobs still running (failed, so retried after the restart) before the process exits,
 * and the app and the embedded database still have to close.
 */
const SHUTDOWN_RESERVE_MS = 3000;

/**
 * Work that leaves the request (Stripe follow-ups, mail) goes through pg-boss on our own
 * PostgreSQL, so any number of instances share it and nothing is lost in a crash. A job
 * sent with `manager` is written in that transaction: it exists if and only if the change
 * that caused it commits.
 */
@Injectable()
export class JobsService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(JobsService.name);
  private readonly boss: PgBoss;
  private readonly handlers = new Map<string, Handler<never>>();
  /** Cron expressions (UTC) of the queues that run on a schedule, by queue name. */
  private readonly schedules = new Map<string, string>();
  /** This instance's worker of each queue, by queue name. */
  private readonly workers = new Map<string, string>();
  private started?: Promise<unknown>;
  /** Jobs held back by `batched`, by the transaction that sends them. */
  private readonly batches = new WeakMap<EntityManager, PgBoss.JobInsert[]>();
  private readonly stopping = new AbortController();
  /** Handlers running now: shutdown waits a little for those that outlive its grace period. */
  private readonly running = new Set<Promise<void>>();

  constructor(
    @Inject(JOBS_OPTIONS) private readonly options: JobsOptions,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {
    this.boss = new PgBoss({
      connectionString: options.databaseUrl,
      max: 4,
      supervise: options.runWorkers,
      // Cron jobs fire where workers run (an instance with SCHEDULED_JOBS=off creates no
      // schedule, but fires those others made); a CLI command neither makes nor runs them.
      schedule: options.runWorkers,
    });
    this.boss.on('error', (error) => this.logger.error({ err: error }, 'Job queue error'));
  }

  /** Called by feature modules while the app is built; workers start with the app. */
  handle<T>(queue: string, handler: Handler<T>): void {
    this.handlers.set(queue, handler as Handler<never>);
  }

  /**
   * Runs `queue`'s job on a cron schedule (UTC), one job per tick whatever the number of
   * instances (pg-boss keeps the schedule in its tables). The queue's worker comes from `handle`;
   * the schedule is written when the workers start, after its queue exists.
   */
  scheduleCron(queue: string, cron: string): void {
    this.schedules.set(queue, cron);
  }

  /** `startAfterSeconds`: the job waits that long before a worker may take it. */
  async send<T extends object>(
    queue: string,
    data: T,
    options: { manager?: EntityManager; startAfterSeconds?: number } = {},
  ): Promise<void> {
    const batch = options.manager && this.batches.get(options.manager);
    if (batch) {
      const startAfter = options.startAfterSeconds
        ? new Date(Date.now() + options.startAfterSeconds * 1000)
        : undefined;
      batch.push({ name: queue, data, startAfter, ...RETRY });
      return;
    }
    await this.start();
    await this.boss.send(queue, data, {
      ...RETRY,
      startAfter: options.startAfterSeconds,
      db: options.manager && inTransaction(options.manager),
    });
  }

  /**
   * Runs `work`, holding back the jobs it sends through `manager`, then writes them in one insert
   * in that same transaction: a payment's link deactivation and receipt cost one round trip.
   * Nothing is written when `work` throws (the transaction is being rolled back anyway).
   */
  async batched<T>(manager: EntityManager, work: () => Promise<T>): Promise<T> {
    if (this.batches.has(manager)) return work();
    const batch: PgBoss.JobInsert[] = [];
    this.batches.set(manager, batch);
    try {
      const result = await work();
      if (batch.length > 0) {
        await this.start();
        await this.boss.insert(batch, { db: inTransaction(manager) });
      }
      return result;
    } finally {
      this.batches.delete(manager);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
    if (!this.options.runWorkers) return;
    for (const [queue, handler] of this.handlers) {
      const worker = await this.boss.work<object>(
        queue,
        { pollingIntervalSeconds: 0.5, batchSize: JOBS_PER_POLL },
        (jobs) => this.runEach(queue, handler, jobs),
      );
      this.workers.set(queue, worker);
    }
    if (this.app.scheduledJobs)
      for (const [queue, cron] of this.schedules)
        await this.boss.schedule(queue, cron, {}, { tz: 'UTC', ...RETRY_SCHEDULED });
  }

  /**
   * Runs each fetched job on its own. pg-boss fails or completes a fetch as a whole, so a job
   * whose handler throws is failed here, alone (retried with backoff); returning completes the
   * rest, and only those: pg-boss completes jobs still active.
   */
  private async runEach(queue: string, handler: Handler<never>, jobs: PgBoss.Job<object>[]) {
    await Promise.all(
      jobs.map(async (job) => {
        // Fetched while stopping (the fetch was under way): failed at once, run after the restart.
        const running = this.stopping.signal.aborted
          ? Promise.reject(new StoppedForShutdown())
          : handler(job.data as never, this.stopping.signal);
        this.running.add(running);
        try {
          await running;
        } catch (error) {
          if (error instanceof StoppedForShutdown)
            this.logger.log({ queue, jobId: job.id }, error.message);
          else
            this.logger.warn(
              { err: error, queue, jobId: job.id },
              'Job failed; it will be retried',
            );
          // Stored as pg-boss stores a handler's own throw (serialize-error).
          await this.boss.fail(queue, job.id, error as object);
        } finally {
          this.running.delete(running);
        }
      }),
    );
  }

  /**
   * Tells this instance's worker of `queue` to look for jobs now instead of at its next poll:
   * for a caller that has just committed a job someone is waiting on.
   */
  wake(queue: string): void {
    const worker = this.workers.get(queue);
    if (worker) this.boss.notifyWorker(worker);
  }

  /**
   * Workers take no more jobs and running ones are told to stop (`stopping`); they finish what
   * is on its way. A job still running when its time is up is failed by pg-boss, so it is retried
   * after the restart; what is still queued waits in PostgreSQL for the next start.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    if (!this.started) return;
    try {
      await this.boss.stop({
        graceful: true,
        wait: true,
        // Closed below, once no worker waits on it.
        close: false,
        timeout: this.app.shutdownGraceMs - SHUTDOWN_RESERVE_MS,
      });
    } finally {
      await this.afterStop();
    }
  }

  private async afterStop(): Promise<void> {
    // A handler that outlived the grace period (pg-boss failed its job, so it runs again after
    // the restart) is given part of the reserve to end.
    if (this.running.size > 0)
      await Promise.race([
        Promise.allSettled([...this.running]),
        new Promise((resolve) => setTimeout(resolve, SHUTDOWN_RESERVE_MS / 2)),
      ]);
    // A worker stops once its fetch returns, but pg-boss's stop does not wait for that, and a
    // fetch still waiting for one of its pooled connections when the pool closes never returns:
    // that worker never stops, and pg-boss polls for it each second for ever (a test file torn
    // down meanwhile fails the next one). So the pool closes once no fetch waits on it.
    // pg-boss's own Db (typed as its executeSql only): its pg pool and close.
    const db = this.boss.getDb() as unknown as { pool?: Pool; close(): Promise<void> };
    const { pool } = db;
    if (!pool) return;
    const deadline = Date.now() + SHUTDOWN_RESERVE_MS / 2;
    while ((pool.waitingCount > 0 || pool.idleCount < pool.totalCount) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    await db.close();
  }

  private start(): Promise<unknown> {
    this.started ??= this.boss.start().then(() =>
      // One at a time, in this process and across all of them: each queue is a partition of
      // pg-boss's job table, and creating two at once deadlocks ("deadlock detected" killed one
      // of two instances started together on a new database).
      withSessionLockOn(this.options.databaseUrl, 'pgboss:create-queues', async () => {
        for (const queue of new Set([...this.handlers.keys(), ...this.schedules.keys()]))
          await this.boss.createQueue(queue);
      }),
    );
    return this.started;
  }
}

function inTransaction(manager: EntityManager): PgBoss.Db {
  return {
    // pg-boss sends the same few statements (a job insert) from every payment's transaction.
    executeSql: async (text, values) => ({
      rows: await preparedQuery<unknown[]>(manager, text, values ?? []),
    }),
  };
}
