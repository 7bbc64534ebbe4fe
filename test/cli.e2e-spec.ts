import { createTestApp, TestApp } from './support/app';
import { runCli } from './support/cli';

const keyIn = (text: string) => /cs_admin_[A-Za-z0-9_-]{43}/.exec(text)?.[0];

describe('operator CLI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('migrate reports an up-to-date schema', async () => {
    const run = await runCli({ app: t }, 'migrate');
    expect(run).toMatchObject({ code: 0, out: expect.stringMatching(/up to date/) });
  });

  it('club:create onboards a club whose printed key reads only that club', async () => {
    const run = await runCli(
      { app: t },
      'club:create',
      '--slug',
      'eastside-hoops',
      '--name',
      'Eastside Hoops',
    );
    expect(run.code).toBe(0);
    const key = keyIn(run.out);
    expect(key).toBeDefined();
    const club = await t.as(key!).get('/admin/club').expect(200);
    expect(club.body).toMatchObject({ slug: 'eastside-hoops', name: 'Eastside Hoops' });

    const again = await runCli(
      { app: t },
      'club:create',
      '--slug',
      'eastside-hoops',
      '--name',
      'Other',
    );
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exists/);
  });

  it('api-key:create prints a key once; api-key:revoke makes it answer 401', async () => {
    await runCli({ app: t }, 'club:create', '--slug', 'westside', '--name', 'Westside');
    const created = await runCli(
      { app: t },
      'api-key:create',
      '--tenant',
      'westside',
      '--name',
      'treasurer laptop',
    );
    expect(created.code).toBe(0);
    const key = keyIn(created.out)!;
    await t.as(key).get('/admin/parents').expect(200);
    const [{ key_hash }] = await t.db.query(
      `SELECT key_hash FROM admin_api_keys WHERE name = 'treasurer laptop'`,
    );
    expect(key_hash).not.toContain(key);

    const listed = await runCli({ app: t }, 'api-key:list', '--tenant', 'westside');
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(
      new RegExp(`│ westside │ ${key.slice(0, 15)}\\s+│ treasurer laptop`),
    );
    expect(listed.out).not.toContain(key);

    const revoked = await runCli({ app: t }, 'api-key:revoke', '--prefix', key.slice(0, 15));
    expect(revoked).toMatchObject({ code: 0, out: expect.stringMatching(/Revoked 1 key/) });
    await t.as(key).get('/admin/parents').expect(401);
    const after = await runCli({ app: t }, 'api-key:list', '--tenant', 'westside', '--json');
    const keys = JSON.parse(after.out) as { prefix: string; revoked_at: string | null }[];
    expect(keys.find((k) => k.prefix === key.slice(0, 15))?.revoked_at).toEqual(expect.any(String));
  });

  it('fails with a clear message and exit code 1 for an unknown club', async () => {
    const run = await runCli({ app: t }, 'api-key:create', '--tenant', 'no-such-club');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/Club no-such-club not found/);
  });

  it('seed:demo seeds once and says so when run again', async () => {
    const first = await runCli({ app: t }, 'seed:demo');
    expect(first.code).toBe(0);
    const key = keyIn(first.out)!;
    const players = await t.as(key).get('/admin/players?limit=100').expect(200);
    expect(players.body.data.length).toBeGreaterThanOrEqual(20);
    const second = await runCli({ app: t }, 'seed:demo');
    expect(second).toMatchObject({ code: 0, out: expect.stringMatching(/already exists/) });
    expect(keyIn(second.out)).toBeUndefined();
  });
});
