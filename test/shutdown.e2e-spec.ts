import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import request from 'supertest';
import { createTestApp } from './support/app';
import { factories } from './support/factories';
import { freePort } from './support/ports';

const MAIN = path.resolve(__dirname, '../dist/src/main.js');

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

/** The built service as `npm start` runs it, on its own embedded PostgreSQL in a temp folder. */
class Service {
  private child?: ChildProcess;
  output = '';

  constructor(readonly env: Record<string, string>) {}

  get baseUrl(): string {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  async start(): Promise<void> {
    this.output = '';
    this.child = spawn(process.execPath, [MAIN], {
      env: { ...process.env, ...this.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) throw new Error(`service exited early:\n${this.output}`);
      const healthy = await request(this.baseUrl)
        .get('/health')
        .then(
          (res) => res.status === 200,
          () => false,
        );
      if (healthy) return;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    throw new Error(`service did not become healthy:\n${this.output}`);
  }

  /** For cleanup after a failure: nothing may outlive the test. */
  kill(): void {
    if (this.child?.exitCode === null) this.child.kill('SIGKILL');
  }

  /** Resolves with the exit code (or the signal that ended it). */
  stop(signal: NodeJS.Signals): Promise<number | string> {
    const child = this.child;
    if (!child) throw new Error('not started');
    return new Promise((resolve) => {
      child.once('exit', (code, killedBy) => resolve(code ?? killedBy ?? 'unknown'));
      child.kill(signal);
    });
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the service process', () => {
  let dataDir: string;
  let service: Service;

  beforeAll(async () => {
    if (!existsSync(MAIN))
      throw new Error(`${MAIN} is missing: npm test builds it first (pretest)`);
    dataDir = mkdtempSync(path.join(tmpdir(), 'courtside-process-'));
    service = new Service({
      STRIPE_EMULATOR_PORT: String(await freePort()),
      DATA_DIR: dataDir,
      PORT: String(await freePort()),
      EMBEDDED_PG_PORT: String(await freePort()),
    });
  });

  afterAll(async () => {
    service.kill();
    const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
    const pid = existsSync(pidFile)
      ? Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0], 10)
      : 0;
    if (pid && isAlive(pid)) process.kill(pid, 'SIGINT');
    rmSync(dataDir, { recursive: true, force: true });
  }, 30_000);

  it('starts on an empty data folder, seeds the demo club and prints a working admin key; a CLI command shares its database while it runs; after SIGKILL it restarts with its data intact; SIGTERM stops it and its database cleanly', async () => {
    await service.start();
    const key = /cs_admin_[A-Za-z0-9_-]+/.exec(service.output)?.[0];
    expect(key).toBeDefined();
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
    const cliRun = spawnSync(
      process.execPath,
      [path.resolve(__dirname, '../dist/src/cli.js'), 'api-key:create', '--tenant', 'demo'],
      {
        env: { ...process.env, ...service.env },
        encoding: 'utf8',
      },
    );
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

    const postmasterPid = Number.parseInt(
      readFileSync(path.join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0],
      10,
    );
    await expect(service.stop('SIGTERM')).resolves.toBe(0);
    expect(isAlive(postmasterPid)).toBe(false);
    expect(existsSync(path.join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);

    await service.start();
    await admin()
      .get(`/admin/parents/${created.body.id}`)
      .set('Authorization', `Bearer ${key}`)
      .expect(200);
    await expect(service.stop('SIGTERM')).resolves.toBe(0);
  }, 240_000);
});
