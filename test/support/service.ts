import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { freePort } from './ports';

const DIST = path.resolve(__dirname, '../../dist/src');

/**
 * The built service as `npm start` runs it (`dist/src/main.js`), on its own embedded PostgreSQL
 * and emulator in a temporary data folder, with free ports. `npm test` builds dist first.
 */
export class Service {
  private child?: ChildProcess;
  output = '';

  private constructor(
    readonly env: Record<string, string>,
    private readonly dist: string,
  ) {}

  /** `dist`: the compiled `src/` folder to run, the checkout's own by default. */
  static async create(env: Record<string, string> = {}, dist = DIST): Promise<Service> {
    if (!existsSync(path.join(dist, 'main.js')))
      throw new Error(`${dist}/main.js is missing: npm test builds it first (pretest)`);
    return new Service(
      {
        STRIPE_EMULATOR_PORT: String(await freePort()),
        DATA_DIR: mkdtempSync(path.join(tmpdir(), 'courtside-process-')),
        PORT: String(await freePort()),
        EMBEDDED_PG_PORT: String(await freePort()),
        ...env,
      },
      dist,
    );
  }

  get dataDir(): string {
    return this.env.DATA_DIR;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.env.PORT}`;
  }

  get emulatorUrl(): string {
    return `http://127.0.0.1:${this.env.STRIPE_EMULATOR_PORT}`;
  }

  /** The demo club's admin key, printed once on the first start. */
  get seededApiKey(): string {
    const key = /cs_admin_[A-Za-z0-9_-]+/.exec(this.output)?.[0];
    if (!key) throw new Error(`No admin key in the service's output:\n${this.output}`);
    return key;
  }

  admin(key: string): Record<'get' | 'post' | 'patch', (url: string) => request.Test> {
    const as = (test: request.Test) => test.set('Authorization', `Bearer ${key}`);
    return {
      get: (url) => as(request(this.baseUrl).get(url)),
      post: (url) => as(request(this.baseUrl).post(url)),
      patch: (url) => as(request(this.baseUrl).patch(url)),
    };
  }

  async start(): Promise<void> {
    this.output = '';
    const child = spawn(process.execPath, [path.join(this.dist, 'main.js')], {
      env: { ...process.env, ...this.env, LOG_LEVEL: 'warn' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) throw new Error(`service exited early:\n${this.output}`);
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

  /** Resolves with the exit code (or the signal that ended it). */
  stop(signal: NodeJS.Signals): Promise<number | string> {
    const child = this.child;
    if (!child) throw new Error('not started');
    if (child.exitCode !== null) return Promise.resolve(child.exitCode);
    return new Promise((resolve) => {
      child.once('exit', (code, killedBy) => resolve(code ?? killedBy ?? 'unknown'));
      child.kill(signal);
    });
  }

  /** The CLI with the service's configuration, as an operator on the same machine runs it. */
  cli(...args: string[]): { status: number | null; stdout: string; stderr: string } {
    const run = spawnSync(process.execPath, [path.join(this.dist, 'cli.js'), ...args], {
      env: { ...process.env, ...this.env, LOG_LEVEL: 'error' },
      encoding: 'utf8',
    });
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  /** For cleanup: nothing may outlive the test, not even an orphaned PostgreSQL. */
  async dispose(): Promise<void> {
    if (this.child?.exitCode === null) await this.stop('SIGKILL');
    const postmaster = postmasterPid(this.dataDir);
    if (postmaster && isAlive(postmaster)) process.kill(postmaster, 'SIGINT');
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

export function postmasterPid(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, 'pg', 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  return Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0], 10) || undefined;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
