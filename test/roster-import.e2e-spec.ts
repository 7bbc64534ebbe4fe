import { parse } from 'csv-parse/sync';
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

  it('stores a cell starting with = as sent, and the statement CSV shows it as text; a quoted "\\t=1+2" is refused, never stored as =1+2 (A8)', async () => {
    const report = (
      await importCsv(
        'parent_name,parent_email,player_name\n' +
          '=1+2,formula@families.example,@SUM(A1)\n' +
          '"\t=1+2",tab@families.example,Tab Kid\n',
      )
    ).body;
    expect(report.created).toEqual({ parents: 1, teams: 0, players: 1 });
    expect(report.rejected).toEqual([
      { line: 3, errors: ['parent_name must not contain control characters or line breaks'] },
    ]);
    const { parents, players } = await snapshot();
    expect(parents.map((p: { name: string }) => p.name)).toEqual(['=1+2']);
    expect(players.map((p: { name: string }) => p.name)).toEqual(['@SUM(A1)']);

    const f = factories(t.db);
    const product = await f.product(club.tenant.id, { name: 'Monthly dues' });
    const order = await f.order(club.tenant.id, { playerId: players[0].id, productId: product.id });
    await f.paymentLink(order);
    const res = await t.as(club.apiKey).get('/admin/balances/outstanding?format=csv').expect(200);
    expect(parse(res.text, { columns: true })).toEqual([
      expect.objectContaining({ parent_name: "'=1+2", player_name: "'@SUM(A1)" }),
    ]);
  });

  it('rejects a row with a line break, tab or control character in a name, email or season by its line number, and imports the others (A9)', async () => {
    const report = (
      await importCsv(
        [
          'parent_name,parent_email,player_name,team_name,team_season,team_monthly_fee_cents',
          'Ann Lee,ann@families.example,Max Lee,,,',
          '"Bo Chen\nBcc: all@evil.example",bo@families.example,Sam Chen,,,',
          'Cy Diaz,"""c\r\nd""@families.example",Eli Diaz,,,',
          'Dee Fox,dee@families.example,"Kid\u0007 Fox",,,',
          'Eve Ng,eve@families.example,Kim Ng,U12,"2026\t27",9000',
          'Fay Ho,fay@families.example,Lu\u2028Ho,,,',
          'Gus Orr,gus@families.example,Ida Orr,,,',
        ].join('\n'),
      )
    ).body;
    expect(report.rejected).toEqual([
      { line: 3, errors: [expect.stringMatching(/^parent_name must not contain control/)] },
      { line: 5, errors: [expect.stringMatching(/^parent_email must not contain control/)] },
      { line: 7, errors: [expect.stringMatching(/^player_name must not contain control/)] },
      { line: 8, errors: [expect.stringMatching(/^team_season must not contain control/)] },
      { line: 9, errors: [expect.stringMatching(/^player_name must not contain control/)] },
    ]);
    expect(report.created).toEqual({ parents: 2, teams: 0, players: 2 });
    const { parents } = await snapshot();
    expect(parents.map((p: { name: string }) => p.name)).toEqual(['Ann Lee', 'Gus Orr']);
  });

  it('reports the line a bad row starts on, after cells with quoted line breaks in a CRLF file (A10)', async () => {
    const report = (
      await importCsv(
        [
          'parent_name,parent_email,player_name',
          'Ann Lee,ann@families.example,"Max',
          'Lee"',
          'Bo Chen,"bo@families.example",Sam Chen',
          '',
          'Bad Email,not-an-email,Kid One',
          'Cy Diaz,cy@families.example,Eli Diaz',
          'Dee Fox,"not',
          'an email",Kid Two',
          'Nobody,,',
        ].join('\r\n'),
      )
    ).body;
    expect(report.rejected.map((r: { line: number }) => r.line)).toEqual([2, 6, 8, 10]);
    expect(report.created).toEqual({ parents: 2, teams: 0, players: 2 });
  });

  it('refuses a header that names a column twice with a 400 naming the column, and imports nothing (A10)', async () => {
    const res = await t
      .as(club.apiKey)
      .post('/admin/roster/import')
      .set('Content-Type', 'text/csv')
      .send('parent_name,player_name,Parent_Name\nAnn Lee,Max Lee,Ann Lee-Park\n')
      .expect(400);
    expect(res.body).toEqual({
      statusCode: 400,
      error: 'validation_failed',
      message: expect.stringContaining('column parent_name appears more than once'),
      details: [{ field: 'header', problems: ['column parent_name appears more than once'] }],
    });
    expect((await snapshot()).parents).toEqual([]);
  });
});

describe('a big roster import', () => {
  let t: TestApp;
  let club: TestClub;
  beforeAll(async () => {
    // Polled many times a second: the public limit is not what this test is about.
    t = await createTestApp({ env: { PUBLIC_RATE_LIMIT_PER_MINUTE: '100000' } });
    club = await factories(t.db).club();
  });
  afterAll(() => t.close());

  it('imports 20,000 rows while /health keeps answering 200 throughout', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => {
      const family = Math.floor(i / 2);
      return `P${family},p${family}@f.example,K${i},T${i % 20},2026-27,9000,signed`;
    });
    const csv = `parent_name,parent_email,player_name,team_name,team_season,team_monthly_fee_cents,contract_status\n${rows.join('\n')}\n`;
    let importing = true;
    const importDone = t
      .as(club.apiKey)
      .post('/admin/roster/import')
      .set('Content-Type', 'text/csv')
      .send(csv)
      .then(
        (res) => {
          importing = false;
          return res;
        },
        (error: unknown) => {
          importing = false;
          throw error;
        },
      );
    // Three probes back to back, so one is always waiting on its database ping: a ping that
    // cannot finish within 2 s (the event loop held by the import) makes /health fail.
    const health: number[] = [];
    const probe = async () => {
      while (importing) health.push((await t.http().get('/health')).status);
    };
    await Promise.all([probe(), probe(), probe()]);
    const res = await importDone;
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      rows: 20_000,
      created: { parents: 10_000, teams: 20, players: 20_000 },
      rejected: [],
    });
    expect(health.length).toBeGreaterThanOrEqual(5);
    expect(health.filter((status) => status !== 200)).toEqual([]);
    const [{ count }] = await t.db.query(
      'SELECT count(*)::int AS count FROM players WHERE tenant_id = $1',
      [club.tenant.id],
    );
    expect(count).toBe(20_000);
  });
});
