import { Command, Option } from 'nest-commander';
import { ClubsService } from '../../club/services/clubs.service';
import { MONTH } from '../../common/month/billing-month';
import { formatMoney } from '../../common/money/format-money';
import type { OperationItem } from '../../common/operator-outcome';
import { MonthRunService, PreparedMonth } from '../../month/services/month-run.service';
import { OperatorClub, OperatorCommand, OperatorOptions } from '../operation/operator-command';

interface RunMonthOptions extends OperatorOptions {
  month: string;
}

@Command({
  name: 'billing:run-month',
  description:
    "Bill a month of dues: each signed player's order, saved cards charged, Pay Now links for the rest (dry run unless --commit)",
})
export class BillingRunMonthCommand extends OperatorCommand<RunMonthOptions> {
  private prepared: { club: OperatorClub; month: PreparedMonth; failed: Set<number> }[] = [];
  /** Orders that threw, by club: their run stays `failed` until a re-run settles them. */
  private readonly unsettled = new Map<number, number>();

  constructor(
    clubs: ClubsService,
    private readonly runs: MonthRunService,
  ) {
    super(clubs);
  }

  override async run(args: string[], options: RunMonthOptions): Promise<void> {
    this.prepared = [];
    await super.run(args, options);
    if (!options.commit || this.interrupted) return;
    for (const { club, month, failed } of this.prepared) {
      const run = await this.runs.finish(club, month, failed, this.unsettled.get(club.tenantId));
      process.stderr.write(
        `${club.slug} ${options.month}: run ${run.id} ${run.status}: ${month.created} order(s) made now, ${run.orders_created} in all; ${run.charged} charged, ${run.charge_failed} card(s) refused (${failed.size} family mail(s) queued), ${run.links_minted} Pay Now link(s), ${run.skipped.length} player(s) skipped\n`,
      );
    }
  }

  protected async plan(clubs: OperatorClub[], options: RunMonthOptions): Promise<OperationItem[]> {
    const items: OperationItem[] = [];
    for (const club of clubs) {
      const month = await this.runs.prepare(club, options.month, options.commit === true);
      const failed = new Set<number>();
      this.prepared.push({ club, month, failed });
      for (const player of month.roster) {
        const columns = { club: club.slug, player: player.player_name, order: player.order_id };
        if (player.skip_reason)
          items.push({
            columns,
            run: () => Promise.resolve({ status: 'skipped', result: player.skip_reason! }),
          });
        else if (player.order_id === null) {
          // A dry run's new order: what the commit would do with it.
          const amount = formatMoney(player.fee_cents!, player.currency!);
          const then = player.autopay_card
            ? `charge ${player.autopay_card}`
            : 'mint a Pay Now link';
          items.push({
            columns,
            run: () => Promise.resolve({ status: 'would_do', result: `bill ${amount}, ${then}` }),
          });
        }
      }
      for (const order of month.orders)
        items.push({
          columns: { club: club.slug, player: order.player_name, order: order.order_id },
          run: async (commit) => {
            try {
              const settled = await this.runs.settle(club, order, commit);
              if (settled.chargeFailed) failed.add(order.parent_id);
              return settled;
            } catch (error) {
              this.unsettled.set(club.tenantId, (this.unsettled.get(club.tenantId) ?? 0) + 1);
              throw error;
            }
          },
        });
    }
    return items;
  }

  @Option({ flags: '--month <YYYY-MM>', description: 'The month to bill', required: true })
  parseMonth(value: string): string {
    if (!MONTH.test(value)) throw new Error('--month must be a month, YYYY-MM (e.g. 2027-01)');
    return value;
  }
}
