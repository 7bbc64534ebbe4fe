import { Client } from 'pg';
import request from 'supertest';
import { createTestApp } from './support/app';
import { factories } from './support/factories';

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
