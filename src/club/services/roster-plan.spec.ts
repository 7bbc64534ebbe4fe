import { plainToInstance } from 'class-transformer';
import { RosterRow } from '../dtos/roster.dto';
import { planRoster, RosterParent, RosterTeam, StoredRoster } from './roster-plan';

const rows = (...values: Partial<RosterRow>[]) =>
  values.map((row, i) => ({ line: i + 2, row: plainToInstance(RosterRow, row) }));

/** A club with one team and one family (Ann, with Max on the team). */
function storedClub(): { stored: StoredRoster; team: RosterTeam; ann: RosterParent } {
  const team: RosterTeam = { id: 1, name: 'U12 Boys', season: '2026-27', monthlyFeeCents: 12500 };
  const ann: RosterParent = {
    id: 10,
    name: 'Ann Lee',
    email: 'Ann@Families.example',
    phone: '555-0101',
    players: new Map(),
  };
  ann.players.set('max lee', {
    id: 100,
    parent: ann,
    team,
    name: 'Max Lee',
    contractStatus: 'signed',
  });
  return { stored: { teams: [team], parents: [ann] }, team, ann };
}

describe('planRoster', () => {
  it('creates a family once for its two rows, and the team the first row names', () => {
    const plan = planRoster(
      { teams: [], parents: [] },
      rows(
        {
          parent_name: 'Bo Chen',
          parent_email: 'bo@families.example',
          player_name: 'Sam Chen',
          team_name: 'U10 Girls',
          team_season: '2026-27',
          team_monthly_fee_cents: '9500',
        },
        {
          parent_name: 'Bo Chen',
          parent_email: 'BO@families.example',
          player_name: 'Kim Chen',
          team_name: 'u10 girls',
          team_season: '2026-27',
        },
      ),
    );
    expect(plan.counts).toEqual({
      created: { parents: 1, teams: 1, players: 2 },
      updated: { parents: 0, teams: 0, players: 0 },
      unchanged_rows: 0,
    });
    const [team] = plan.created.teams;
    expect(team).toEqual({ name: 'U10 Girls', season: '2026-27', monthlyFeeCents: 9500 });
    expect(plan.created.players.map((p) => [p.name, p.parent, p.team])).toEqual([
      ['Sam Chen', plan.created.parents[0], team],
      ['Kim Chen', plan.created.parents[0], team],
    ]);
  });

  it('matches a parent by email whatever its case and a player by name, and updates only what changed', () => {
    const { stored, team, ann } = storedClub();
    const plan = planRoster(
      stored,
      rows({
        parent_name: 'Ann Lee-Park',
        parent_email: 'ann@FAMILIES.example',
        player_name: 'max lee',
        contract_status: 'terminated',
      }),
    );
    expect(plan.created).toEqual({ teams: [], parents: [], players: [] });
    expect([...plan.updated.parents]).toEqual([ann]);
    // Absent cells keep what is stored: the phone, the player's team.
    expect(ann).toMatchObject({ name: 'Ann Lee-Park', phone: '555-0101' });
    expect(ann.players.get('max lee')).toMatchObject({ team, contractStatus: 'terminated' });
    expect(plan.counts.updated).toEqual({ parents: 1, teams: 0, players: 1 });
  });

  it('matches a parent without an email by name, never one who has an email', () => {
    const { stored } = storedClub();
    const noEmail: RosterParent = {
      id: 11,
      name: 'Cy Diaz',
      email: null,
      phone: null,
      players: new Map(),
    };
    stored.parents.push(noEmail);
    const plan = planRoster(
      stored,
      rows(
        { parent_name: 'CY DIAZ', player_name: 'Eli Diaz' },
        { parent_name: 'Ann Lee', player_name: 'Mo Lee' },
      ),
    );
    expect(plan.created.players.map((p) => [p.name, p.parent.id])).toEqual([
      ['Eli Diaz', 11],
      ['Mo Lee', undefined],
    ]);
    expect(plan.created.parents.map((p) => p.name)).toEqual(['Ann Lee']);
  });

  it('counts a fee change once, and a later row with the same fee as unchanged', () => {
    const { stored, team } = storedClub();
    const row = {
      parent_name: 'Ann Lee',
      parent_email: 'ann@families.example',
      player_name: 'Max Lee',
      team_name: 'U12 Boys',
      team_season: '2026-27',
      team_monthly_fee_cents: '13000',
    };
    const plan = planRoster(stored, rows(row, row));
    expect(team.monthlyFeeCents).toBe(13000);
    expect([...plan.updated.teams]).toEqual([team]);
    expect(plan.counts).toMatchObject({
      updated: { parents: 0, teams: 1, players: 0 },
      unchanged_rows: 1,
    });
  });

  it('rejects a row naming a team that does not exist without a fee, and applies nothing of it', () => {
    const plan = planRoster(
      { teams: [], parents: [] },
      rows(
        {
          parent_name: 'Dee Fox',
          player_name: 'Kid',
          team_name: 'New Team',
          team_season: '2026-27',
        },
        { parent_name: 'Eve Ng', player_name: 'Kim Ng' },
      ),
    );
    expect(plan.rejected).toEqual([
      {
        line: 2,
        errors: [
          'team New Team (2026-27) does not exist: give team_monthly_fee_cents to create it',
        ],
      },
    ]);
    expect(plan.created.parents.map((p) => p.name)).toEqual(['Eve Ng']);
  });

  it('inserts a record made earlier in the file with its final values instead of updating it', () => {
    const plan = planRoster(
      { teams: [], parents: [] },
      rows(
        { parent_name: 'Fay Ho', parent_email: 'fay@families.example', player_name: 'Lu Ho' },
        {
          parent_name: 'Fay Ho-Lin',
          parent_email: 'fay@families.example',
          player_name: 'Lu Ho',
          contract_status: 'signed',
        },
      ),
    );
    expect(plan.created.parents).toEqual([expect.objectContaining({ name: 'Fay Ho-Lin' })]);
    expect(plan.created.players).toEqual([expect.objectContaining({ contractStatus: 'signed' })]);
    expect(plan.updated.parents.size + plan.updated.players.size).toBe(0);
    expect(plan.counts.updated).toEqual({ parents: 1, teams: 0, players: 1 });
  });

  it("lists the stored players whose contract the file ends, judged on each player's last row", () => {
    const { stored, ann } = storedClub();
    const ann2 = { parent_name: 'Ann Lee', parent_email: 'ann@families.example' };
    const ended = planRoster(
      stored,
      rows({ ...ann2, player_name: 'Max Lee', contract_status: 'terminated' }),
    );
    expect([...ended.terminated]).toEqual([ann.players.get('max lee')]);

    const takenBack = planRoster(
      storedClub().stored,
      rows(
        { ...ann2, player_name: 'Max Lee', contract_status: 'terminated' },
        { ...ann2, player_name: 'Max Lee', contract_status: 'signed' },
      ),
    );
    expect(takenBack.terminated.size).toBe(0);

    // A player new in this file has nothing billed yet.
    const born = planRoster(
      storedClub().stored,
      rows({ ...ann2, player_name: 'Mia Lee', contract_status: 'terminated' }),
    );
    expect(born.terminated.size).toBe(0);
  });
});
