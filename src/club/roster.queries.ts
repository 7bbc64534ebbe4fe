import { EntityManager } from 'typeorm';
import type { ContractStatus } from './entities/player.entity';
import {
  parentKey,
  playerKey,
  RosterParent,
  RosterPlan,
  RosterTeam,
  StoredRoster,
  teamKey,
} from './services/roster-plan';

/** The club's teams, parents and players, in three reads. */
export async function loadRoster(manager: EntityManager, tenantId: number): Promise<StoredRoster> {
  // One after another: a transaction's connection runs one statement at a time.
  const teamRows = await manager.query<
    { id: number; name: string; season: string; monthly_fee_cents: number }[]
  >('SELECT id, name, season, monthly_fee_cents FROM teams WHERE tenant_id = $1 ORDER BY id', [
    tenantId,
  ]);
  const parentRows = await manager.query<
    { id: number; name: string; email: string | null; phone: string | null }[]
  >('SELECT id, name, email, phone FROM parents WHERE tenant_id = $1 ORDER BY id', [tenantId]);
  const playerRows = await manager.query<
    {
      id: number;
      parent_id: number;
      team_id: number | null;
      name: string;
      contract_status: ContractStatus;
    }[]
  >(
    'SELECT id, parent_id, team_id, name, contract_status FROM players WHERE tenant_id = $1 ORDER BY id',
    [tenantId],
  );
  const teams = new Map<number, RosterTeam>(
    teamRows.map((t) => [
      t.id,
      { id: t.id, name: t.name, season: t.season, monthlyFeeCents: t.monthly_fee_cents },
    ]),
  );
  const parents = new Map<number, RosterParent>(
    parentRows.map((p) => [
      p.id,
      { id: p.id, name: p.name, email: p.email, phone: p.phone, players: new Map() },
    ]),
  );
  for (const p of playerRows) {
    const parent = parents.get(p.parent_id)!;
    parent.players.set(playerKey(p.name), {
      id: p.id,
      parent,
      team: p.team_id === null ? null : teams.get(p.team_id)!,
      name: p.name,
      contractStatus: p.contract_status,
    });
  }
  return { teams: [...teams.values()], parents: [...parents.values()] };
}

/**
 * Writes an import's plan in at most six statements, whatever the file's size: new teams,
 * changed teams, new parents, changed parents, new players, changed players. Contract dates
 * follow contractDates (contract-dates.ts) on the club's local `today`, judged on the stored row
 * the UPDATE locks.
 */
export async function writeRoster(
  manager: EntityManager,
  tenantId: number,
  plan: RosterPlan,
  today: string,
): Promise<void> {
  const { created, updated } = plan;
  if (created.teams.length > 0) {
    const rows = await manager.query<{ id: number; name: string; season: string }[]>(
      `INSERT INTO teams (tenant_id, name, season, monthly_fee_cents)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::int[])
       RETURNING id, name, season`,
      [
        tenantId,
        created.teams.map((t) => t.name),
        created.teams.map((t) => t.season),
        created.teams.map((t) => t.monthlyFeeCents),
      ],
    );
    assignIds(created.teams, rows, (t) => teamKey(t.name, t.season));
  }
  if (updated.teams.size > 0) {
    const teams = [...updated.teams];
    await manager.query(
      `UPDATE teams t SET monthly_fee_cents = v.fee, updated_at = now()
       FROM unnest($2::int[], $3::int[]) AS v(id, fee)
       WHERE t.tenant_id = $1 AND t.id = v.id`,
      [tenantId, teams.map((t) => t.id), teams.map((t) => t.monthlyFeeCents)],
    );
  }
  if (created.parents.length > 0) {
    const rows = await manager.query<{ id: number; name: string; email: string | null }[]>(
      `INSERT INTO parents (tenant_id, name, email, phone)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])
       RETURNING id, name, email`,
      [
        tenantId,
        created.parents.map((p) => p.name),
        created.parents.map((p) => p.email),
        created.parents.map((p) => p.phone),
      ],
    );
    assignIds(created.parents, rows, (p) => parentKey(p.email, p.name));
  }
  if (updated.parents.size > 0) {
    const parents = [...updated.parents];
    await manager.query(
      `UPDATE parents p SET name = v.name, phone = v.phone, updated_at = now()
       FROM unnest($2::int[], $3::text[], $4::text[]) AS v(id, name, phone)
       WHERE p.tenant_id = $1 AND p.id = v.id`,
      [tenantId, parents.map((p) => p.id), parents.map((p) => p.name), parents.map((p) => p.phone)],
    );
  }
  if (created.players.length > 0) {
    const players = created.players;
    await manager.query(
      `INSERT INTO players (tenant_id, parent_id, team_id, name, contract_status,
                            contract_signed_on, contract_ended_on)
       SELECT $1, v.parent_id, v.team_id, v.name, v.contract_status,
              CASE WHEN v.contract_status = 'signed' THEN $6::date END,
              CASE WHEN v.contract_status = 'terminated' THEN $6::date END
       FROM unnest($2::int[], $3::int[], $4::text[], $5::contract_status[])
         AS v(parent_id, team_id, name, contract_status)`,
      [
        tenantId,
        players.map((p) => p.parent.id),
        players.map((p) => p.team?.id ?? null),
        players.map((p) => p.name),
        players.map((p) => p.contractStatus),
        today,
      ],
    );
  }
  if (updated.players.size > 0) {
    const players = [...updated.players];
    await manager.query(
      // On the right of SET, p.* is the row as stored (re-read once its lock is held).
      `UPDATE players p SET team_id = v.team_id, contract_status = v.contract_status,
         contract_signed_on = CASE
           WHEN v.contract_status = 'signed' AND p.contract_status = 'signed' THEN COALESCE(p.contract_signed_on, $5::date)
           WHEN v.contract_status = 'signed' THEN $5::date
           ELSE p.contract_signed_on END,
         contract_ended_on = CASE
           WHEN v.contract_status = 'signed' THEN NULL
           WHEN v.contract_status = 'terminated' AND p.contract_status = 'terminated' THEN COALESCE(p.contract_ended_on, $5::date)
           WHEN v.contract_status = 'terminated' THEN $5::date
           ELSE p.contract_ended_on END,
         updated_at = now()
       FROM unnest($2::int[], $3::int[], $4::contract_status[]) AS v(id, team_id, contract_status)
       WHERE p.tenant_id = $1 AND p.id = v.id`,
      [
        tenantId,
        players.map((p) => p.id),
        players.map((p) => p.team?.id ?? null),
        players.map((p) => p.contractStatus),
        today,
      ],
    );
  }
}

/** New records get the ids PostgreSQL gave them, matched by the key that made them new. */
function assignIds<T extends { id?: number }, Row extends { id: number }>(
  records: T[],
  rows: Row[],
  keyOf: (record: T | Row) => string,
): void {
  const ids = new Map(rows.map((row) => [keyOf(row), row.id]));
  for (const record of records) record.id = ids.get(keyOf(record));
}
