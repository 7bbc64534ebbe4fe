import request from 'supertest';
import { eventually } from '../support/eventually';
import { isAlive, postmasterPid, Service } from '../support/service';
import { SmtpSink } from '../support/smtp-sink';

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

describe('SIGTERM while jobs are queued and one is running (O3)', () => {
  let sink: SmtpSink;
  let service: Service;

  beforeAll(async () => {
    // One connection, each message answered 800 ms after it arrived: a blast of the demo club's
    // families takes far longer than the 6 s the service is given to stop.
    sink = await SmtpSink.start();
    sink.setAcceptDelay(800);
    service = await Service.create({
      SMTP_URL: `${sink.url}/?maxConnections=1`,
      SHUTDOWN_GRACE_MS: '6000',
    });
  });
  afterAll(async () => {
    await service.dispose();
    await sink.close();
  }, 30_000);

  interface Blast {
    id: number;
    recipient_count: number;
  }

  it('the running blast stops taking families and finishes the messages on their way, the queued blast is not taken, the process exits 0; after the restart both blasts are sent, each family exactly once', async () => {
    await service.start();
    const admin = service.admin(service.seededApiKey);
    const ofBlast = (blast: Blast) =>
      sink.messages.filter((m) => m.headers['x-courtside-blast'] === String(blast.id));

    const running = (await admin.post('/admin/email/outstanding-balance').expect(200))
      .body as Blast;
    await sink.waitFor(1, 20_000);
    // Sent while the worker is busy with the first: queued behind it.
    const queued = (
      await admin
        .post('/admin/email/blasts')
        .send({ query: 'outstanding_balances', force: true })
        .expect(201)
    ).body as Blast;
    await admin.post(`/admin/email/blasts/${queued.id}/send`).expect(200);
    expect(queued.recipient_count).toBe(running.recipient_count);
    await sink.waitFor(3, 20_000);

    await expect(service.stop('SIGTERM')).resolves.toBe(0);
    const sentBeforeRestart = ofBlast(running).length;
    expect(sentBeforeRestart).toBeLessThan(running.recipient_count);
    expect(ofBlast(queued)).toEqual([]);

    await service.start();
    await eventually(async () => {
      for (const blast of [running, queued])
        expect((await admin.get(`/admin/email/blasts/${blast.id}`).expect(200)).body).toMatchObject(
          {
            status: 'sent',
            counts: { queued: 0, failed: 0, sent: blast.recipient_count },
          },
        );
    }, 90_000);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    for (const blast of [running, queued]) {
      const recipients = ofBlast(blast).map((m) => m.to.join());
      expect(recipients).toHaveLength(blast.recipient_count);
      expect(new Set(recipients).size).toBe(blast.recipient_count);
    }
    await expect(service.stop('SIGTERM')).resolves.toBe(0);
  }, 240_000);
});
