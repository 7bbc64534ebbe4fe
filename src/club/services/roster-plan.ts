import type { RosterRejection, RosterRow } from '../dtos/roster.dto';
import type { ContractStatus } from '../entities/player.entity';

/** A team, parent or player as the import sees it; `id` is unset until a new one is inserted. */
export interface RosterTeam {
  id?: number;
  name: string;
  season: string;
  monthlyFeeCents: number;
}

export interface RosterParent {
  id?: number;
  name: string;
  email: string | null;
  phone: string | null;
  /** The parent's players by folded name. */
  players: Map<string, RosterPlayer>;
}

export interface RosterPlayer {
  id?: number;
  parent: RosterParent;
  team: RosterTeam | null;
  name: string;
  contractStatus: ContractStatus;
}

/** The club's roster before the import. */
export interface StoredRoster {
  teams: RosterTeam[];
  parents: RosterParent[];
}

type Kind = 'teams' | 'parents' | 'players';
type Counts = Record<Kind, number>;

/** What the import writes: new records to insert, stored ones to update (with their final values). */
export interface RosterPlan {
  created: { teams: RosterTeam[]; parents: RosterParent[]; players: RosterPlayer[] };
  updated: { teams: Set<RosterTeam>; parents: Set<RosterParent>; players: Set<RosterPlayer> };
  counts: { created: Counts; updated: Counts; unchanged_rows: number };
  rejected: RosterRejection[];
  /** Stored players whose contract this file terminates (see ContractEndingsHook). */
  terminated: Set<RosterPlayer>;
}

/**
 * Applies the rows in file order to the stored roster, in memory: parents match by email
 * (case-insensitive) or, without one, by name; teams by name + season; players by name within
 * their parent. A later row sees what an earlier one made. Counts say how often a record was
 * created or changed; a row that changed nothing is unchanged.
 */
export function planRoster(
  stored: StoredRoster,
  rows: { line: number; row: RosterRow }[],
): RosterPlan {
  const teams = new Map(stored.teams.map((t) => [teamKey(t.name, t.season), t]));
  const parents = new Map(stored.parents.map((p) => [parentKey(p.email, p.name), p]));
  const plan: RosterPlan = {
    created: { teams: [], parents: [], players: [] },
    updated: { teams: new Set(), parents: new Set(), players: new Set() },
    counts: {
      created: { parents: 0, teams: 0, players: 0 },
      updated: { parents: 0, teams: 0, players: 0 },
      unchanged_rows: 0,
    },
    rejected: [],
    terminated: new Set(),
  };
  let changes = 0;
  /** Stored players' contract status before the file changed them. */
  const storedStatus = new Map<RosterPlayer, ContractStatus>();
  const create = <T>(kind: Kind, record: T): T => {
    (plan.created[kind] as unknown[]).push(record);
    plan.counts.created[kind]++;
    changes++;
    return record;
  };
  const update = (kind: Kind, record: { id?: number }): void => {
    // A record made earlier in this file is inserted with its final values.
    if (record.id !== undefined) (plan.updated[kind] as Set<unknown>).add(record);
    plan.counts.updated[kind]++;
    changes++;
  };

  for (const { line, row } of rows) {
    const changesBefore = changes;
    const fee =
      row.team_monthly_fee_cents === undefined ? undefined : Number(row.team_monthly_fee_cents);
    let team: RosterTeam | undefined;
    if (row.team_name && row.team_season) {
      const key = teamKey(row.team_name, row.team_season);
      team = teams.get(key);
      if (!team) {
        if (fee === undefined) {
          plan.rejected.push({
            line,
            errors: [
              `team ${row.team_name} (${row.team_season}) does not exist: give team_monthly_fee_cents to create it`,
            ],
          });
          continue;
        }
        team = create('teams', {
          name: row.team_name,
          season: row.team_season,
          monthlyFeeCents: fee,
        });
        teams.set(key, team);
      } else if (fee !== undefined && fee !== team.monthlyFeeCents) {
        team.monthlyFeeCents = fee;
        update('teams', team);
      }
    }

    const email = row.parent_email ?? null;
    const pKey = parentKey(email, row.parent_name);
    let parent = parents.get(pKey);
    const phone = row.parent_phone ?? parent?.phone ?? null;
    if (!parent) {
      parent = create('parents', { name: row.parent_name, email, phone, players: new Map() });
      parents.set(pKey, parent);
    } else if (parent.name !== row.parent_name || parent.phone !== phone) {
      Object.assign(parent, { name: row.parent_name, phone });
      update('parents', parent);
    }

    const playerKey = fold(row.player_name);
    const player = parent.players.get(playerKey);
    const playerTeam = team ?? player?.team ?? null;
    const contractStatus = row.contract_status ?? player?.contractStatus ?? 'none';
    if (!player) {
      parent.players.set(
        playerKey,
        create('players', { parent, team: playerTeam, name: row.player_name, contractStatus }),
      );
    } else if (player.team !== playerTeam || player.contractStatus !== contractStatus) {
      if (player.id !== undefined && !storedStatus.has(player))
        storedStatus.set(player, player.contractStatus);
      Object.assign(player, { team: playerTeam, contractStatus });
      update('players', player);
    }
    if (changes === changesBefore) plan.counts.unchanged_rows++;
  }
  // Judged on the final status: a later row may take an earlier row's termination back.
  for (const [player, before] of storedStatus)
    if (before !== 'terminated' && player.contractStatus === 'terminated')
      plan.terminated.add(player);
  return plan;
}

const fold = (text: string) => text.trim().toLowerCase();
export const teamKey = (name: string, season: string) => `${fold(name)}\u0000${fold(season)}`;
export const parentKey = (email: string | null, name: string) =>
  email ? `email:${fold(email)}` : `name:${fold(name)}`;
export const playerKey = fold;
