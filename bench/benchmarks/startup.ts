import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Benchmark } from '../lib/context';
import { freePort } from '../../test/support/ports';
import { median, round } from '../lib/measure';

const MAIN = path.resolve(__dirname, '../../src/main.js');

/**
 * What `npm start` runs once built (`src/main.js`, compiled into dist-bench/ with the bench by
 * the production build's settings), from spawn to the first 200 on /health: first on an empty
 * data folder (initdb, migrations, demo seed), then restarts on the existing embedded database.
 */
export const startup: Benchmark = {
  name: 'startup',
  async run({ log }) {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'courtside-bench-start-'));
    try {
      const first = await startOnce(dataDir);
      const restarts: number[] = [];
      for (let i = 0; i < 5; i++) restarts.push(await startOnce(dataDir));
      log(
        `startup: first ${Math.round(first)} ms, restarts ${restarts.map(Math.round).join('/')} ms`,
      );
      return [
        {
          name: 'startup',
          value: round(median(restarts), 0),
          unit: 'ms',
          lower_bound: null,
          ratio: null,
          budget: 'reported',
          pass: true,
          note: `existing embedded database, to 200 on /health (build excluded); runs ${restarts.map(Math.round).join('/')} ms`,
        },
        {
          name: 'startup_first',
          value: round(first, 0),
          unit: 'ms',
          lower_bound: null,
          ratio: null,
          budget: 'reported',
          pass: true,
          note: 'empty data folder: initdb + migrations + demo seed (links minted at the emulator)',
        },
      ];
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};

async function startOnce(dataDir: string): Promise<number> {
  const [port, emulatorPort, pgPort] = [await freePort(), await freePort(), await freePort()];
  const started = process.hrtime.bigint();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: dataDir,
    PORT: String(port),
    STRIPE_EMULATOR_PORT: String(emulatorPort),
    EMBEDDED_PG_PORT: String(pgPort),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    LOG_LEVEL: 'error',
  };
  delete env.DATABASE_URL; // the embedded database under DATA_DIR, as on a fresh machine
  delete env.STRIPE_SECRET_KEY;
  const child = spawn(process.execPath, [MAIN], { env, stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  try {
    for (;;) {
      const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
        (response) => response.ok,
        () => false,
      );
      if (ok) return Number(process.hrtime.bigint() - started) / 1e6;
      if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}
