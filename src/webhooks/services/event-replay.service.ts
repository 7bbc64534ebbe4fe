import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { DomainException } from '../../common/errors/domain.exception';
import { EventOutcome, isReplayable } from '../entities/stripe-event.entity';
import { StripeEventsRepository } from '../repositories/stripe-events.repository';
import { commitWhen } from './commit-when';
import { EventDecision } from './event-decision';
import { EventApplicationService } from './event-application.service';

/** A stored event as it was before and after `reapply`. */
export interface Reapplied {
  id: string;
  type: string;
  before: { outcome: EventOutcome | null; tenantId: number | null; note: string | null };
  /** Undefined when the stored outcome is final, so nothing was re-applied. */
  decision?: EventDecision;
  /** Whether the stored outcome, club or note changed (or would, in a dry run). */
  changed: boolean;
}

/** `webhooks:replay`: stored events applied again once the cause of their outcome was fixed. */
@Injectable()
export class EventReplayService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly inbox: StripeEventsRepository,
    private readonly events: EventApplicationService,
  ) {}

  /**
   * Applies a stored event again, under its row's lock so that a concurrent delivery waits.
   * Order transitions are guarded, so a second apply changes nothing; final outcomes (processed,
   * ignored, duplicate) are left alone. Not a delivery: `attempts` stays as Stripe's count.
   * `dryRunAfter`: stored events of the same payment to apply first in the rolled-back
   * transaction, so that a refund is judged as it will be after its payment.
   */
  async reapply(
    eventId: string,
    options: { dryRun?: boolean; dryRunAfter?: string[] } = {},
  ): Promise<Reapplied> {
    const { result } = await commitWhen(
      this.db,
      async (manager) => {
        if (options.dryRun)
          for (const earlier of options.dryRunAfter ?? []) await this.applyStored(manager, earlier);
        return this.applyStored(manager, eventId);
      },
      () => !options.dryRun,
    );
    return result;
  }

  private async applyStored(manager: EntityManager, eventId: string): Promise<Reapplied> {
    const row = await this.inbox.lock(manager, eventId);
    if (!row) throw DomainException.notFound('Stripe event', eventId);
    const reapplied: Reapplied = {
      id: row.id,
      type: row.type,
      before: { outcome: row.outcome, tenantId: row.tenantId, note: row.error },
      changed: false,
    };
    if (row.outcome && !isReplayable(row.outcome)) return reapplied;
    const decision = await this.events.apply(manager, row.payload);
    reapplied.decision = decision;
    reapplied.changed =
      decision.outcome !== row.outcome ||
      (decision.tenantId ?? null) !== row.tenantId ||
      (decision.note ?? null) !== row.error;
    if (reapplied.changed) await this.events.saveOutcome(manager, row.id, decision);
    return reapplied;
  }
}
