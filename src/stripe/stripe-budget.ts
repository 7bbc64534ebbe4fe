import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { stripeConfig, type StripeConfig } from '../config';

export const STRIPE_BUDGET_DATABASE = Symbol('STRIPE_BUDGET_DATABASE');

/** A slot whose second has passed, taken; otherwise how long until the first one frees. */
const TAKE_SLOT = `
  WITH free AS (
    SELECT slot FROM stripe_call_slots
     WHERE slot < $1 AND free_at <= clock_timestamp()
     ORDER BY free_at LIMIT 1
     FOR UPDATE SKIP LOCKED
  ), taken AS (
    UPDATE stripe_call_slots AS s SET free_at = clock_timestamp() + interval '1 second'
      FROM free WHERE s.slot = free.slot
    RETURNING s.slot
  )
  SELECT (SELECT slot FROM taken) AS slot,
         (SELECT greatest(0, ceil(extract(epoch FROM min(free_at) - clock_timestamp()) * 1000))::int
            FROM stripe_call_slots WHERE slot < $1) AS wait_ms`;

/** A call that ended: its slot stays taken until a second after that. */
const CALL_ENDED = `
  UPDATE stripe_call_slots SET free_at = greatest(free_at, clock_timestamp() + interval '1 second')
   WHERE slot = $1`;

/** Slots taken by others at this very moment (SKIP LOCKED): look again shortly. */
const CONTENDED_WAIT_MS = 5;

/**
 * The Stripe account's rate limit, shared by every Courtside process on the database (each
 * instance, each CLI command): Stripe counts calls per account, so instances pacing themselves
 * alone would together send a multiple of STRIPE_RATE_LIMIT_PER_SECOND. `stripe_call_slots` has a
 * row per call a rolling second may carry; a call takes a row whose second has passed and keeps
 * it until a second after the call ended (Stripe counts a call when it arrives, a little after it
 * was sent). The database's clock decides, so instances whose clocks differ still agree.
 *
 * Its own connection, not the app's pool: code that holds a pooled connection while it waits on
 * Stripe (a session lock) must never wait for the pool to get a Stripe slot. Callers in one
 * process take their turns in order, so one connection is enough.
 */
@Injectable()
export class StripeBudget implements OnApplicationShutdown {
  private readonly logger = new Logger(StripeBudget.name);
  private readonly pool: Pool;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    @Inject(stripeConfig.KEY) private readonly config: StripeConfig,
    @Inject(STRIPE_BUDGET_DATABASE) databaseUrl: string,
  ) {
    this.pool = new Pool({ connectionString: databaseUrl, max: 1, idleTimeoutMillis: 10_000 });
    // An idle connection the server closed (a restart) is replaced on the next call.
    this.pool.on('error', (error) =>
      this.logger.warn(`Stripe budget connection: ${error.message}`),
    );
  }

  /** Resolves when the caller may call Stripe, with what to call once the call has ended. */
  take(): Promise<() => Promise<void>> {
    const turn = this.queue.then(() => this.takeSlot());
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }

  private async takeSlot(): Promise<() => Promise<void>> {
    for (;;) {
      const { rows } = await this.pool.query<{ slot: number | null; wait_ms: number }>({
        name: 'stripe-budget-take',
        text: TAKE_SLOT,
        values: [this.config.rateLimitPerSecond],
      });
      const { slot, wait_ms } = rows[0];
      if (slot !== null) return () => this.ended(slot);
      await new Promise((resolve) => setTimeout(resolve, Math.max(CONTENDED_WAIT_MS, wait_ms)));
    }
  }

  private async ended(slot: number): Promise<void> {
    await this.pool
      .query({ name: 'stripe-budget-ended', text: CALL_ENDED, values: [slot] })
      // The slot then frees a second after the call started: the call is already answered.
      .catch((error: Error) => this.logger.warn(`Stripe budget slot ${slot}: ${error.message}`));
  }
}
