import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { ClubContext } from '../auth/club-context';
import { ContractEndingsHook } from '../contracts/contract-endings.hook';
import { RosterImportReport } from '../dtos/roster.dto';
import { loadRoster, writeRoster } from '../roster.queries';
import { parseRosterCsv } from './roster-csv';
import { ClubsService } from './clubs.service';
import { planRoster } from './roster-plan';
import { lockUntilCommit } from '../../database/advisory-lock';

/**
 * Upserts a roster in one transaction: the club's roster is read once, the rows are applied
 * to it in memory (see planRoster), and the result is written in a few set-based statements.
 * Importing the same file twice changes nothing the second time.
 */
@Injectable()
export class RosterImportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly clubs: ClubsService,
    private readonly contractEndings: ContractEndingsHook,
  ) {}

  async import(club: ClubContext, csv: string): Promise<RosterImportReport> {
    const { rows, rejected } = await parseRosterCsv(csv);
    const report = await this.db.transaction(async (manager) => {
      // Two imports for one club at once would both create the same new family.
      await lockUntilCommit(manager, `roster:${club.tenantId}`);
      const plan = planRoster(await loadRoster(manager, club.tenantId), rows);
      const today = await this.clubs.localToday(manager, club.tenantId);
      await writeRoster(manager, club.tenantId, plan, today);
      // Every terminated player's bill in one call: its reads and cancels are set-based.
      await this.contractEndings.ended(manager, {
        club,
        playerIds: [...plan.terminated].map((player) => player.id!),
        today,
      });
      const { created, updated, unchanged_rows } = plan.counts;
      await this.audit.record(manager, club, 'roster.imported', 'roster', {
        created,
        updated,
        rejected: rejected.length + plan.rejected.length,
      });
      return { created, updated, unchanged_rows, rejected: [...rejected, ...plan.rejected] };
    });
    return {
      rows: rows.length + rejected.filter((r) => r.line > 1).length,
      ...report,
      rejected: report.rejected.sort((a, b) => a.line - b.line),
    };
  }
}
