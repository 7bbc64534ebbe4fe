import { Client } from 'pg';
import request from 'supertest';
import { createTestApp } from './support/app';
import { factories } from './support/factories';
import { isAlive, postmasterPid, Service } from './support/service';

describe('graceful shutdown', () => {
  it('finishes an in-flight request before the app closes', async () => {
    const t = await createTestApp();
    const club = await factories(t.db).club();
    const parent = await factories(t.db).parent(club.tenant.id);
    await t.app.listen(0, '127.0.0.1');
    const url = await t.app.getUrl();

    // Hold the parent's row so the PATCH is still running when shutdown begins.
    const lock = new Client({ connectionString: t.databaseUrl });
    await lock.connect();
    await lock.query('BEGIN');
    await lock.query('SELECT id FROM parents WHERE id = $1 FOR UPDATE', [parent.id]);
    const inFlight = request(url)
      .patch(`/admin/parents/${parent.id}`)
      .set('Authorization', `Bearer ${club.apiKey}`)
      .send({ name: 'Renamed' });
    const response = inFlight.then((res) => res);
    await new Promise((resolve) => setTimeout(resolve, 300));

    let closedAt: number | undefined;
    const closed = t.app.close().then(() => void (closedAt = Date.now()));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(closedAt).toBeUndefined(); // still waiting for the request
    const releasedAt = Date.now();
    await lock.query('COMMIT');
    await lock.end();

    const res = await response;
    expect(res.status).toBe(200);
    expect(res.body.name).toBe('Renamed');
    await closed;
    expect(closedAt).toBeGreaterThanOrEqual(releasedAt);
  });
});

describe('the service process', () => {
  let service: Service;

  beforeAll(async () => {
    service = await Service.create();
  });

  afterAll(() => service.dispose(), 30_000);

  it('starts on an empty data folder, seeds the demo club and prints a working admin key; a CLI command shares its database while it runs; after SIGKILL it restarts with its data intact; SIGTERM stops it and its database cleanly', async () => {
    await service.start();
    const key = service.seededApiKey;
    const admin = () => request(service.baseUrl);
    const players = await admin()
      .get('/admin/players')
      .set('Authorization', `Bearer ${key}`)
      .expect(200);
    expect(players.body.data.length).toBeGreaterThan(0);
    const created = await admin()
      .post('/admin/parents')
      .set('Authorization', `Bearer ${key}`)
      .send({ name: 'Survives Crashes', email: 'crash@families.example' })
      .expect(201);

    // An operator command while the service runs shares its embedded database.
    const cliRun = service.cli('api-key:create', '--tenant', 'demo');
    expect(cliRun.status).toBe(0);
    const secondKey = /cs_admin_[A-Za-z0-9_-]{43}/.exec(cliRun.stdout)?.[0];
    await admin().get('/admin/club').set('Authorization', `Bearer ${secondKey}`).expect(200);

    await expect(service.stop('SIGKILL')).resolves.toBe('SIGKILL');
    await service.start();
    expect(service.output).not.toMatch(/cs_admin_/); // not seeded again
    await admin()
      .get(`/admin/parents/${created.body.id}`)
      .set('Authorization', `Bearer ${key}`)
      .expect(200)
      .expect((res) => expect(res.body.email).toBe('crash@families.example'));

    const postmaster = postmasterPid(service.dataDir)!;
    await expect(service.stop('SIGTERM')).resolves.toBe(0);
    expect(isAlive(postmaster)).toBe(false);
    expect(postmasterPid(service.dataDir)).toBeUndefined();

    await service.start();
    await admin()
      .get(`/admin/parents/${created.body.id}`)
      .set('Authorization', `Bearer ${key}`)
      .expect(200);
    await expect(service.stop('SIGTERM')).resolves.toBe(0);
  }, 240_000);
});
