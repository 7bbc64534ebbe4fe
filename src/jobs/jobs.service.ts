import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import PgBoss from 'pg-boss';
import { EntityManager } from 'typeorm';

export const JOBS_OPTIONS = Symbol('JOBS_OPTIONS');

export interface JobsOptions {
  databaseUrl: string;
  /** The HTTP service works the queues; a CLI command only sends. */
  runWorkers: boolean;
}

type Handler<T> = (data: T) => Promise<void>;

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
  private started?: Promise<unknown>;

  constructor(@Inject(JOBS_OPTIONS) private readonly options: JobsOptions) {
    this.boss = new PgBoss({
      connectionString: options.databaseUrl,
      max: 4,
      supervise: options.runWorkers,
      schedule: false,
    });
    this.boss.on('error', (error) => this.logger.error({ err: error }, 'Job queue error'));
  }

  /** Called by feature modules while the app is built; workers start with the app. */
  handle<T>(queue: string, handler: Handler<T>): void {
    this.handlers.set(queue, handler as Handler<never>);
  }

  async send<T extends object>(
    queue: string,
    data: T,
    options: { manager?: EntityManager } = {},
  ): Promise<void> {
    await this.start();
    await this.boss.send(queue, data, {
      retryLimit: 10,
      retryDelay: 2,
      retryBackoff: true,
      db: options.manager && inTransaction(options.manager),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.start();
    if (!this.options.runWorkers) return;
    for (const [queue, handler] of this.handlers) {
      await this.boss.work<object>(
        queue,
        { pollingIntervalSeconds: 0.5, batchSize: 1 },
        async ([job]) => {
          await handler(job.data as never);
        },
      );
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    if (!this.started) return;
    // Lets running jobs finish; what is still queued waits in PostgreSQL for the next start.
    await this.boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  }

  private start(): Promise<unknown> {
    this.started ??= this.boss.start().then(async () => {
      // One at a time: each queue is a partition of pg-boss's job table, and creating two at
      // once can deadlock (seen at start-up as "deadlock detected").
      for (const queue of this.handlers.keys()) await this.boss.createQueue(queue);
    });
    return this.started;
  }
}

function inTransaction(manager: EntityManager): PgBoss.Db {
  return {
    executeSql: async (text, values) => ({
      rows: (await manager.query(text, values)) as unknown[],
    }),
  };
}
