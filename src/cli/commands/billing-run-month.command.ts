import { Command, Option } from 'nest-commander';
import { ClubsService } from '../../club/services/clubs.service';
import { MONTH } from '../../common/month/billing-month';
import { formatMoney } from '../../common/money/format-money';
import type { OperationItem } from '../../common/operator-outcome';
import type { BillingRunRow, SkipReason } from '../../month/repositories/month-run.repository';
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
    if (this.interrupted) return;
    for (const { club, month, failed } of this.prepared) {
      if (!options.commit) {
        process.stderr.write(`${dryRunSummary(club.slug, options.month, month)}\n`);
        continue;
      }
      const run = await this.runs.finish(club, month, failed, this.unsettled.get(club.tenantId));
      process.stderr.write(`${runSummary(club.slug, options.month, month, run, failed.size)}\n`);
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
            run: () =>
              Promise.resolve({ status: 'skipped', result: skipWords(player.skip_reason!) }),
          });
        else if (player.order_id === null) {
          // A dry run's new order: what the commit would do with it.
          const amount = formatMoney(player.fee_cents!, player.currency!);
          const then = player.autopay_card
            ? `charge the saved card ${player.autopay_card}`
            : 'send the family a Pay Now link';
          items.push({
            columns,
            run: () =>
              Promise.resolve({ status: 'would_do', result: `bill ${amount} and ${then}` }),
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

/** A skipped player's reason in a treasurer's words, with its code for scripts. */
function skipWords(reason: SkipReason): string {
  const words: Record<SkipReason, string> = {
    not_signed: 'not billed: contract not signed',
    not_started: 'not billed: has not started (no first month paid or billed yet)',
    outside_season: "not billed: outside the team's billing season",
    no_fee: 'not billed: no monthly fee (or no active monthly product)',
    already_billed: 'not billed: this month was already billed (e.g. the first-month link)',
  };
  return `${words[reason]} (${reason})`;
}

const plural = (count: number, one: string, many = `${one}s`) =>
  `${count} ${count === 1 ? one : many}`;

/** What a commit of the dry run would do, in one paragraph. */
function dryRunSummary(slug: string, month: string, prepared: PreparedMonth): string {
  const toBill = prepared.roster.filter((p) => p.skip_reason === null && p.order_id === null);
  const onCard = toBill.filter((p) => p.autopay_card !== null).length;
  const totals = new Map<string, number>();
  for (const player of toBill)
    totals.set(player.currency!, (totals.get(player.currency!) ?? 0) + player.fee_cents!);
  const total = [...totals].map(([currency, cents]) => formatMoney(cents, currency)).join(' + ');
  const skipped = prepared.roster.filter((p) => p.skip_reason !== null).length;
  const lines = [
    `${slug} ${month} (dry run): would bill ${plural(toBill.length, 'player')}${total ? ` ${total}` : ''}: ${onCard} on a saved card, ${toBill.length - onCard} by a Pay Now link; ${plural(skipped, 'player')} not billed.`,
  ];
  if (prepared.run)
    lines.push(
      `  This month already has run ${prepared.run.id} (${prepared.run.status}) with ${plural(prepared.orders.length, 'order')}; --commit finishes what it left.`,
    );
  return lines.join('\n');
}

/** The run's outcome after --commit, counted from its rows. */
function runSummary(
  slug: string,
  month: string,
  prepared: PreparedMonth,
  run: BillingRunRow,
  familiesMailed: number,
): string {
  const byLink = run.orders_created - run.charged - run.charge_failed;
  return [
    `${slug} ${month}: run ${run.id} ${run.status === 'done' ? 'done' : `${run.status}${run.error ? ` (${run.error})` : ''}`}.`,
    `  ${plural(run.orders_created, 'order')} for the month, ${prepared.created} of them made just now${prepared.created === 0 ? ' (nothing new: the month had been billed)' : ''}.`,
    `  ${run.charged} charged to a saved card (each order shows paid once Stripe confirms the payment).`,
    `  ${run.charge_failed} refused by the bank: those families pay by Pay Now link; the mail to ${plural(familiesMailed, 'family', 'families')} is queued (each family is mailed once per month: a repeat sends nothing).`,
    `  ${byLink} owed by families without autopay, who pay by their Pay Now link; ${plural(run.links_minted, 'Pay Now link')} in all.`,
    `  ${plural(run.skipped.length, 'player')} not billed (the reasons are in the table).`,
  ].join('\n');
}
