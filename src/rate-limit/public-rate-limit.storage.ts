import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import type { ThrottlerStorage } from '@nestjs/throttler';
import { JobsService } from '../jobs/jobs.service';
import { PublicRateLimitsRepository } from './public-rate-limits.repository';

const SWEEP_QUEUE = 'public-rate-limits.sweep';

type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/**
 * The throttler's counters in PostgreSQL, so the public rate limit holds across every instance
 * behind the load balancer: a fixed window per client, then a block (the throttler's
 * `blockDuration`, by default its ttl) once the client goes over the limit.
 */
@Injectable()
export class PublicRateLimitStorage implements ThrottlerStorage, OnModuleInit {
  private readonly logger = new Logger(PublicRateLimitStorage.name);

  constructor(
    private readonly counters: PublicRateLimitsRepository,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    // A client that never comes back leaves its row: one sweep for all instances, off the request path.
    this.jobs.handle(SWEEP_QUEUE, () => this.sweep().then(() => undefined));
    this.jobs.scheduleCron(SWEEP_QUEUE, '*/10 * * * *');
  }

  async increment(
    key: string,
    ttl: number,
    limit: number,
    blockDuration: number,
  ): Promise<ThrottlerStorageRecord> {
    try {
      const tally = await this.counters.countRequest(
        key,
        ttl,
        limit,
        blockDuration > 0 ? blockDuration : null,
      );
      return {
        totalHits: tally.total_hits,
        timeToExpire: tally.time_to_expire,
        isBlocked: tally.is_blocked,
        timeToBlockExpire: tally.time_to_block_expire,
      };
    } catch (error) {
      // Fails open: it is a flood guard, and every public route needs the database anyway, so
      // the route itself answers the outage (/health its 503) instead of the guard's 500.
      this.logger.warn({ err: error }, 'Public rate limit not counted: the database failed');
      return { totalHits: 0, timeToExpire: 0, isBlocked: false, timeToBlockExpire: 0 };
    }
  }

  /** Deletes the counters of clients whose window and block are over. */
  sweep(): Promise<number> {
    return this.counters.deleteEnded();
  }
}
