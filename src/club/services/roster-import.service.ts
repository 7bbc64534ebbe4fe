import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { ClubContext } from '../auth/club-context';
import { RosterImportReport, RosterRow } from '../dtos/roster.dto';
import { Parent } from '../entities/parent.entity';
import { Player } from '../entities/player.entity';
import { Team } from '../entities/team.entity';
import { parseRosterCsv } from './roster-csv';

type Kind = 'parents' | 'teams' | 'players';

/**
 * Upserts a roster: parents match by email (case-insensitive) or, without one, by name;
 * teams by name + season; players by name within their parent. Importing the same file
 * twice changes nothing the second time.
 */
@Injectable()
export class RosterImportService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async import(club: ClubContext, csv: string): Promise<RosterImportReport> {
    const { rows, rejected } = parseRosterCsv(csv);
    const report: RosterImportReport = {
      rows: rows.length + rejected.filter((r) => r.line > 1).length,
      created: { parents: 0, teams: 0, players: 0 },
      updated: { parents: 0, teams: 0, players: 0 },
      unchanged_rows: 0,
      rejected,
    };
    await this.db.transaction(async (manager) => {
      // Two imports for one club at once would both create the same new family.
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [
        `roster:${club.tenantId}`,
      ]);
      const roster = await Roster.load(manager, club.tenantId);
      for (const { line, row } of rows) {
        const before = JSON.stringify([report.created, report.updated]);
        const problem = await roster.apply(row, (kind, change) => report[change][kind]++);
        if (problem) report.rejected.push({ line, errors: [problem] });
        else if (before === JSON.stringify([report.created, report.updated]))
          report.unchanged_rows++;
      }
      await this.audit.record(manager, club, 'roster.imported', 'roster', {
        created: report.created,
        updated: report.updated,
        rejected: report.rejected.length,
      });
    });
    report.rejected.sort((a, b) => a.line - b.line);
    return report;
  }
}

/** The club's current roster, loaded in three queries, then kept in step with each applied row. */
class Roster {
  private constructor(
    private readonly manager: EntityManager,
    private readonly tenantId: number,
    private readonly teams: Map<string, Team>,
    private readonly parents: Map<string, Parent>,
    private readonly players: Map<string, Player>,
  ) {}

  static async load(manager: EntityManager, tenantId: number): Promise<Roster> {
    const [teams, parents, players] = await Promise.all([
      manager.findBy(Team, { tenantId }),
      manager.findBy(Parent, { tenantId }),
      manager.findBy(Player, { tenantId }),
    ]);
    return new Roster(
      manager,
      tenantId,
      new Map(teams.map((t) => [teamKey(t.name, t.season), t])),
      new Map(parents.map((p) => [parentKey(p.email, p.name), p])),
      new Map(players.map((p) => [playerKey(p.parentId, p.name), p])),
    );
  }

  /** Returns a problem to report for the row, or undefined when it was applied. */
  async apply(
    row: RosterRow,
    count: (kind: Kind, change: 'created' | 'updated') => void,
  ): Promise<string | undefined> {
    const fee =
      row.team_monthly_fee_cents === undefined ? undefined : Number(row.team_monthly_fee_cents);
    let team: Team | undefined;
    if (row.team_name && row.team_season) {
      const key = teamKey(row.team_name, row.team_season);
      team = this.teams.get(key);
      if (!team) {
        if (fee === undefined)
          return `team ${row.team_name} (${row.team_season}) does not exist: give team_monthly_fee_cents to create it`;
        team = await this.save(
          Team,
          { name: row.team_name, season: row.team_season, monthlyFeeCents: fee },
          'teams',
          count,
        );
        this.teams.set(key, team);
      } else if (fee !== undefined && fee !== team.monthlyFeeCents) {
        team = await this.save(Team, { ...team, monthlyFeeCents: fee }, 'teams', count);
      }
    }

    const parentId = parentKey(row.parent_email ?? null, row.parent_name);
    let parent = this.parents.get(parentId);
    const wanted = {
      name: row.parent_name,
      email: row.parent_email ?? null,
      phone: row.parent_phone ?? parent?.phone ?? null,
    };
    if (!parent) {
      parent = await this.save(Parent, wanted, 'parents', count);
      this.parents.set(parentId, parent);
    } else if (parent.name !== wanted.name || parent.phone !== wanted.phone) {
      parent = await this.save(
        Parent,
        { ...parent, name: wanted.name, phone: wanted.phone },
        'parents',
        count,
      );
      this.parents.set(parentId, parent);
    }

    const playerId = playerKey(parent.id, row.player_name);
    const player = this.players.get(playerId);
    const teamId = team?.id ?? player?.teamId ?? null;
    const contractStatus = row.contract_status ?? player?.contractStatus ?? 'none';
    if (!player) {
      this.players.set(
        playerId,
        await this.save(
          Player,
          { parentId: parent.id, name: row.player_name, teamId, contractStatus },
          'players',
          count,
        ),
      );
    } else if (player.teamId !== teamId || player.contractStatus !== contractStatus) {
      this.players.set(
        playerId,
        await this.save(Player, { ...player, teamId, contractStatus }, 'players', count),
      );
    }
    return undefined;
  }

  private async save<T extends Team | Parent | Player>(
    target: new () => T,
    values: Partial<T>,
    kind: Kind,
    count: (kind: Kind, change: 'created' | 'updated') => void,
  ): Promise<T> {
    count(kind, values.id ? 'updated' : 'created');
    return this.manager.save(target, { ...values, tenantId: this.tenantId } as T);
  }
}

const fold = (text: string) => text.trim().toLowerCase();
const teamKey = (name: string, season: string) => `${fold(name)}\u0000${fold(season)}`;
const parentKey = (email: string | null, name: string) =>
  email ? `email:${fold(email)}` : `name:${fold(name)}`;
const playerKey = (parentId: number, name: string) => `${parentId}\u0000${fold(name)}`;
