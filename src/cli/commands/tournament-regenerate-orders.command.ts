import { Command, Option } from 'nest-commander';
import { ClubsService } from '../../club/services/clubs.service';
import { formatMoney } from '../../common/money/format-money';
import { TournamentRegenerationService } from '../../tournament/services/tournament-regeneration.service';
import type { OperationItem } from '../../common/operator-outcome';
import { OperatorClub, OperatorCommand, OperatorOptions } from '../operation/operator-command';

interface RegenerateOrdersOptions extends OperatorOptions {
  tournament: number;
}

@Command({
  name: 'tournament:regenerate-orders',
  description:
    "Cancel and re-bill a tournament's unpaid fee orders that cannot reconcile (wrong amount, foreign or dead link); dry run unless --commit",
})
export class TournamentRegenerateOrdersCommand extends OperatorCommand<RegenerateOrdersOptions> {
  constructor(
    clubs: ClubsService,
    private readonly regeneration: TournamentRegenerationService,
  ) {
    super(clubs);
  }

  protected async plan(
    clubs: OperatorClub[],
    options: RegenerateOrdersOptions,
  ): Promise<OperationItem[]> {
    const club = await this.regeneration.owningClub(clubs, options.tournament);
    const rows = await this.regeneration.orders(club.tenantId, options.tournament);
    return rows.map((row) => ({
      columns: {
        club: club.slug,
        player: row.player_name,
        order: row.order_id,
        order_status: row.order_status,
        amount: formatMoney(row.amount_cents, row.currency),
      },
      run: async (commit) => {
        const step = await this.regeneration.regenerate(club, options.tournament, row, commit);
        return {
          status: step.status,
          result: step.result,
          columns:
            step.newOrderId !== undefined
              ? { new_order: step.newOrderId, pay_url: step.payUrl ?? null }
              : undefined,
        };
      },
    }));
  }

  @Option({ flags: '--tournament <id>', description: 'The tournament', required: true })
  parseTournament(value: string): number {
    const id = Number(value);
    if (!Number.isInteger(id) || id < 1) throw new Error('--tournament must be a tournament id');
    return id;
  }
}
