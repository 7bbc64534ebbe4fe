import { createTestApp, TestApp } from './support/app';
import { factories, TestClub } from './support/factories';

const ROSTER = [
  'parent_name,parent_email,parent_phone,player_name,team_name,team_season,team_monthly_fee_cents,contract_status',
  'Ann Lee,ann@families.example,555-0101,Max Lee,U12 Boys,2026-27,12500,signed',
  'Ann Lee,ann@families.example,555-0101,Mia Lee,U10 Girls,2026-27,9500,pending',
  'Bo Chen,bo@families.example,,Sam Chen,U12 Boys,2026-27,,none',
  'Cy Diaz,,,Eli Diaz,,,,',
].join('\n');

describe('roster import', () => {
  let t: TestApp;
  let club: TestClub;

  beforeEach(async () => {
    t = await createTestApp();
    club = await factories(t.db).club();
  });
  afterEach(() => t.close());

  const importCsv = (csv: string) =>
    t
      .as(club.apiKey)
      .post('/admin/roster/import')
      .set('Content-Type', 'text/csv')
      .send(csv)
      .expect(200);

  async function snapshot() {
    const [parents, teams, players] = await Promise.all([
      t.db.query('SELECT id, name, email, phone FROM parents WHERE tenant_id = $1 ORDER BY id', [
        club.tenant.id,
      ]),
      t.db.query(
        'SELECT id, name, season, monthly_fee_cents FROM teams WHERE tenant_id = $1 ORDER BY id',
        [club.tenant.id],
      ),
      t.db.query(
        'SELECT id, parent_id, team_id, name, contract_status FROM players WHERE tenant_id = $1 ORDER BY id',
        [club.tenant.id],
      ),
    ]);
    return { parents, teams, players };
  }

  it('creates families, teams and players from a CSV', async () => {
    const report = (await importCsv(ROSTER)).body;
    expect(report).toEqual({
      rows: 4,
      created: { parents: 3, teams: 2, players: 4 },
      updated: { parents: 0, teams: 0, players: 0 },
      unchanged_rows: 0,
      rejected: [],
    });
    const { players, teams } = await snapshot();
    expect(players.map((p: { name: string }) => p.name)).toEqual([
      'Max Lee',
      'Mia Lee',
      'Sam Chen',
      'Eli Diaz',
    ]);
    expect(teams.map((team: { name: string }) => team.name)).toEqual(['U12 Boys', 'U10 Girls']);
  });

  it('importing the same roster twice gives the same rows and reports nothing changed', async () => {
    await importCsv(ROSTER);
    const first = await snapshot();
    const second = (await importCsv(ROSTER)).body;
    expect(second).toMatchObject({
      created: { parents: 0, teams: 0, players: 0 },
      updated: { parents: 0, teams: 0, players: 0 },
      unchanged_rows: 4,
    });
    expect(await snapshot()).toEqual(first);
  });

  it('two imports of one roster at the same moment create each family once', async () => {
    await Promise.all([importCsv(ROSTER), importCsv(ROSTER)]);
    const { parents, players } = await snapshot();
    expect(parents).toHaveLength(3);
    expect(players).toHaveLength(4);
  });

  it('updates in place: email matched case-insensitively, team fee and contract status changed', async () => {
    await importCsv(ROSTER);
    const report = (
      await importCsv(
        'parent_name,parent_email,player_name,team_name,team_season,team_monthly_fee_cents,contract_status\n' +
          'Ann Lee-Park,ANN@FAMILIES.EXAMPLE,Max Lee,U12 Boys,2026-27,13000,terminated\n',
      )
    ).body;
    expect(report).toMatchObject({
      created: { parents: 0, teams: 0, players: 0 },
      updated: { parents: 1, teams: 1, players: 1 },
    });
    const { parents, teams, players } = await snapshot();
    expect(parents[0]).toMatchObject({
      name: 'Ann Lee-Park',
      email: 'ann@families.example',
      phone: '555-0101',
    });
    expect(teams[0]).toMatchObject({ name: 'U12 Boys', monthly_fee_cents: 13000 });
    expect(players[0]).toMatchObject({ name: 'Max Lee', contract_status: 'terminated' });
  });

  it('reports bad rows by line number and imports the rest', async () => {
    const report = (
      await importCsv(
        'parent_name,parent_email,player_name,team_name,team_season,team_monthly_fee_cents\n' +
          'Ann Lee,ann@families.example,Max Lee,,,\n' +
          'Bad Email,not-an-email,Kid One,,,\n' +
          'Dee Fox,dee@families.example,Kid Two,New Team,2026-27,\n' +
          ',nobody@families.example,Kid Three,,,\n',
      )
    ).body;
    expect(report.created).toEqual({ parents: 1, teams: 0, players: 1 });
    expect(report.rejected).toEqual([
      { line: 3, errors: [expect.stringMatching(/email/)] },
      { line: 4, errors: [expect.stringMatching(/New Team.*team_monthly_fee_cents/)] },
      { line: 5, errors: expect.arrayContaining([expect.stringMatching(/parent_name/)]) },
    ]);
    expect((await snapshot()).parents).toHaveLength(1);
  });

  it('records the import in the audit log with its counts', async () => {
    await importCsv(ROSTER);
    const [entry] = await t.db.query(
      `SELECT actor, data FROM audit_log WHERE tenant_id = $1 AND action = 'roster.imported'`,
      [club.tenant.id],
    );
    expect(entry).toMatchObject({
      actor: `api-key:${club.keyPrefix}`,
      data: { created: { parents: 3, teams: 2, players: 4 }, rejected: 0 },
    });
  });
});
