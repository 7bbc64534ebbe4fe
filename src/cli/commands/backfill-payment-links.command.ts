import { Command } from 'nest-commander';
import { PaymentLinksBackfillService } from '../../billing/services/payment-links-backfill.service';
import { ClubsService } from '../../club/services/clubs.service';
import { formatMoney } from '../../common/money/format-money';
import type { OperationItem } from '../../common/operator-outcome';
import { OperatorClub, OperatorCommand, OperatorOptions } from '../operation/operator-command';

@Command({
  name: 'backfill:payment-links',
  description:
    "Give every signed player's first month and every unpaid order a Pay Now link (dry run unless --commit)",
})
export class BackfillPaymentLinksCommand extends OperatorCommand {
  constructor(
    clubs: ClubsService,
    private readonly backfill: PaymentLinksBackfillService,
  ) {
    super(clubs);
  }

  protected async plan(clubs: OperatorClub[], _options: OperatorOptions): Promise<OperationItem[]> {
    const items: OperationItem[] = [];
    for (const club of clubs) {
      for (const candidate of await this.backfill.candidates(club.tenantId)) {
        items.push({
          columns: {
            club: club.slug,
            kind: candidate.kind === 'first_month' ? 'first month' : 'order',
            order: candidate.order_id,
            player: candidate.player_name,
            item: candidate.item,
            amount: formatMoney(candidate.amount_cents, candidate.currency),
          },
          run: async (commit) => {
            const step = await this.backfill.backfill(club, candidate, commit);
            return {
              status: step.status,
              result: step.result,
              columns: step.url ? { order: step.orderId ?? null, url: step.url } : undefined,
            };
          },
        });
      }
    }
    return items;
  }
}
