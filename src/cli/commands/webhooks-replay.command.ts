import { Command, Option } from 'nest-commander';
import { ClubsService } from '../../club/services/clubs.service';
import { ReconciliationService } from '../../webhooks/services/reconciliation.service';
import type { OperationItem } from '../../common/operator-outcome';
import { OperatorClub, OperatorCommand, OperatorOptions } from '../operation/operator-command';

interface WebhooksReplayOptions extends OperatorOptions {
  event?: string;
  outcome?: string;
}

@Command({
  name: 'webhooks:replay',
  description:
    'Apply stored Stripe events again once their cause is fixed: one by --event, or all with an --outcome (dry run unless --commit)',
})
export class WebhooksReplayCommand extends OperatorCommand<WebhooksReplayOptions> {
  constructor(
    clubs: ClubsService,
    private readonly reconciliation: ReconciliationService,
  ) {
    super(clubs);
  }

  /** One event at a time in Stripe's order, so a payment is applied before its refund. */
  override run(args: string[], options: WebhooksReplayOptions): Promise<void> {
    return super.run(args, { ...options, concurrency: 1 });
  }

  protected plan(clubs: OperatorClub[], options: WebhooksReplayOptions): Promise<OperationItem[]> {
    return this.reconciliation.replay({
      event: options.event,
      outcome: options.outcome,
      tenantOnly: options.tenant === undefined ? undefined : clubs[0].tenantId,
    });
  }

  @Option({ flags: '--event <id>', description: 'The stored event to apply again, e.g. evt_1Q…' })
  parseEvent(value: string): string {
    return value;
  }

  @Option({
    flags: '--outcome <outcome>',
    description: 'Every stored event with this outcome: failed, unmatched or needs_review',
  })
  parseOutcome(value: string): string {
    return value;
  }
}
