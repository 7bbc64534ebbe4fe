import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** A client's count after one more request, as the throttler wants it (seconds, rounded up). */
export interface PublicRateLimitTally {
  total_hits: number;
  time_to_expire: number;
  is_blocked: boolean;
  time_to_block_expire: number;
}

/*
 * One statement per request, on the database's clock so instances whose clocks differ agree.
 * The row is locked by the upsert, so concurrent requests of one client are counted one by one.
 * A client under a block is not counted; a window or block that has ended starts a new window.
 * Over the limit, the client is blocked for `blockMs` (null: until its window ends).
 */
const COUNT_REQUEST = `
  WITH clock AS MATERIALIZED (SELECT clock_timestamp() AS now)
  INSERT INTO public_rate_limits AS tally (key, hits, window_ends, blocked_until)
  SELECT $1, 1, now + $2 * interval '1 millisecond',
         CASE WHEN 1 > $3 THEN coalesce(now + $4 * interval '1 millisecond', now + $2 * interval '1 millisecond') END
  FROM clock
  ON CONFLICT (key) DO UPDATE SET (hits, window_ends, blocked_until) = (
    SELECT next.hits, next.window_ends,
           CASE WHEN state.blocked THEN tally.blocked_until
                WHEN next.hits > $3 THEN coalesce(state.now + $4 * interval '1 millisecond', next.window_ends)
           END
    FROM (SELECT now,
                 coalesce(tally.blocked_until > now, false) AS blocked,
                 tally.window_ends <= now OR coalesce(tally.blocked_until <= now, false) AS ended
          FROM clock) state,
         LATERAL (SELECT CASE WHEN state.blocked THEN tally.hits
                              WHEN state.ended THEN 1
                              ELSE tally.hits + 1 END AS hits,
                         CASE WHEN NOT state.blocked AND state.ended
                              THEN state.now + $2 * interval '1 millisecond'
                              ELSE tally.window_ends END AS window_ends) next
  )
  RETURNING hits AS total_hits,
            ceil(extract(epoch FROM window_ends - (SELECT now FROM clock)))::int AS time_to_expire,
            blocked_until IS NOT NULL AS is_blocked,
            coalesce(ceil(extract(epoch FROM blocked_until - (SELECT now FROM clock))), 0)::int
              AS time_to_block_expire`;

/** The public rate limit's counters. Not club data, so no tenant scope: they count anonymous clients by IP. */
@Injectable()
export class PublicRateLimitsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async countRequest(
    key: string,
    ttlMs: number,
    limit: number,
    blockMs: number | null,
  ): Promise<PublicRateLimitTally> {
    const [tally] = (await this.db.query(COUNT_REQUEST, [
      key,
      ttlMs,
      limit,
      blockMs,
    ])) as PublicRateLimitTally[];
    return tally;
  }

  /** Drops counters whose window and block have both ended; returns how many. */
  async deleteEnded(): Promise<number> {
    const [, deleted] = (await this.db.query(
      `DELETE FROM public_rate_limits
       WHERE window_ends <= clock_timestamp()
         AND (blocked_until IS NULL OR blocked_until <= clock_timestamp())`,
    )) as [unknown, number];
    return deleted;
  }
}
