import { Command, Option } from 'nest-commander';
import { ClubsService } from '../../club/services/clubs.service';
import { ReconciliationService } from '../../webhooks/services/reconciliation.service';
import type { OperationItem } from '../../common/operator-outcome';
import { OperatorClub, OperatorCommand, OperatorOptions } from '../operation/operator-command';

interface ReconcileOptions extends OperatorOptions {
  since?: string;
}

@Command({
  name: 'reconcile',
  description:
    'Apply the Stripe events Courtside missed (e.g. while the webhook endpoint was down) and report payments Stripe and Courtside disagree on (dry run unless --commit)',
})
export class ReconcileCommand extends OperatorCommand<ReconcileOptions> {
  private differences = 0;

  constructor(
    clubs: ClubsService,
    private readonly reconciliation: ReconciliationService,
  ) {
    super(clubs);
  }

  /**
   * One step at a time, whatever --concurrency says: events must apply in Stripe's order (a
   * refund after its payment) and the payment comparisons read what the events changed.
   * A payment difference that needs a person makes the exit code 1, as a failure does.
   */
  override async run(args: string[], options: ReconcileOptions): Promise<void> {
    this.differences = 0;
    await super.run(args, { ...options, concurrency: 1 });
    if (this.differences > 0) {
      process.stderr.write(
        `${this.differences} payment difference(s) between Stripe and Courtside need a person: see the results above that start with "paid".\n`,
      );
      process.exitCode = 1;
    }
  }

  protected async plan(clubs: OperatorClub[], options: ReconcileOptions): Promise<OperationItem[]> {
    const steps = await this.reconciliation.reconcile(clubs, {
      since: options.since,
      tenantOnly: options.tenant === undefined ? undefined : clubs[0].tenantId,
    });
    return steps.map((step) => ({
      columns: step.columns,
      run: async (commit) => {
        const outcome = await step.run(commit);
        if (outcome.needsPerson) this.differences++;
        return outcome;
      },
    }));
  }

  @Option({
    flags: '--since <date>',
    description:
      'Start of the window, e.g. 2026-03-01 or 2026-03-01T14:30:00Z (default and earliest: 30 days ago, as long as Stripe keeps events)',
  })
  parseSince(value: string): string {
    return value;
  }
}
