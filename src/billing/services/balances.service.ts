import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { ClubContext } from '../../club/auth/club-context';
import { spreadsheetCsv } from '../../common/csv/spreadsheet-csv';
import {
  Statement,
  StatementFilter,
  StatementsRepository,
} from '../repositories/statements.repository';

const CSV_COLUMNS = [
  'parent_id',
  'parent_name',
  'parent_email',
  'player_name',
  'item',
  'amount_cents',
  'amount',
  'currency',
  'pay_now_url',
];

/** What each family owes, as JSON for the admin and CSV for the treasurer's spreadsheet. */
@Injectable()
export class BalancesService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly repository: StatementsRepository,
  ) {}

  statements(club: ClubContext, filter: StatementFilter = {}): Promise<Statement[]> {
    return this.repository.outstandingBalances(this.db.manager, club.tenantId, filter);
  }

  async csv(club: ClubContext, filter: StatementFilter = {}): Promise<string> {
    const rows = (await this.statements(club, filter)).flatMap((statement) =>
      statement.items.map((item) => [
        statement.parent_id,
        statement.parent_name,
        statement.email ?? '',
        item.player_name,
        item.item,
        item.amount_cents,
        (item.amount_cents / 100).toFixed(2),
        item.currency,
        item.pay_url,
      ]),
    );
    return spreadsheetCsv(CSV_COLUMNS, rows);
  }
}
