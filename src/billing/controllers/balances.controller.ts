import { Get, Query, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces } from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminController } from '../../club/auth/admin-controller.decorator';
import { type ClubContext, CurrentClub } from '../../club/auth/club-context';
import { StatementQuery, StatementsResponse } from '../dtos/statement.dto';
import { BalancesService } from '../services/balances.service';

@AdminController('balances', 'balances')
export class BalancesController {
  constructor(private readonly balances: BalancesService) {}

  /** Every family that owes something with a Pay Now link: items, totals. `?format=csv` for a spreadsheet. */
  @Get('outstanding')
  @ApiProduces('application/json', 'text/csv')
  @ApiOkResponse({ type: StatementsResponse })
  async outstanding(
    @CurrentClub() club: ClubContext,
    @Query() query: StatementQuery,
    @Res({ passthrough: true }) res: Response,
  ): Promise<StatementsResponse | string> {
    const filter = { email: query.email };
    if (query.format !== 'csv') return { data: await this.balances.statements(club, filter) };
    res.type('text/csv').attachment('outstanding-balances.csv');
    return this.balances.csv(club, filter);
  }
}
