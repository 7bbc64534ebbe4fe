import { Command, Option } from 'nest-commander';
import { ClubsService } from '../../club/services/clubs.service';
import { formatMoney } from '../../common/money/format-money';
import { CheckoutUrlsBackfillService } from '../../payment-links/services/checkout-urls-backfill.service';
import type { OperationItem } from '../../common/operator-outcome';
import { OperatorClub, OperatorCommand, OperatorOptions } from '../operation/operator-command';

interface BackfillCheckoutUrlsOptions extends OperatorOptions {
  remint?: boolean;
}

@Command({
  name: 'backfill:checkout-urls',
  description:
    'Store the pay URL of legacy orders that have a Checkout Session but no URL; --remint replaces expired sessions with payment links (dry run unless --commit)',
})
export class BackfillCheckoutUrlsCommand extends OperatorCommand<BackfillCheckoutUrlsOptions> {
  constructor(
    clubs: ClubsService,
    private readonly backfill: CheckoutUrlsBackfillService,
  ) {
    super(clubs);
  }

  protected async plan(
    clubs: OperatorClub[],
    options: BackfillCheckoutUrlsOptions,
  ): Promise<OperationItem[]> {
    const items: OperationItem[] = [];
    for (const club of clubs) {
      for (const candidate of await this.backfill.candidates(club.tenantId)) {
        items.push({
          columns: {
            club: club.slug,
            order: candidate.order_id,
            player: candidate.player_name,
            item: candidate.item,
            amount: formatMoney(candidate.amount_cents, candidate.currency),
            session: candidate.session_id,
          },
          run: async (commit) => {
            const step = await this.backfill.backfill(club, candidate, {
              commit,
              remint: options.remint === true,
            });
            return {
              status: step.status,
              result: step.result,
              columns: step.url ? { pay_url: step.url } : undefined,
            };
          },
        });
      }
    }
    return items;
  }

  @Option({
    flags: '--remint',
    description: 'Replace an expired session with a payment link for the same order',
  })
  parseRemint(): boolean {
    return true;
  }
}
