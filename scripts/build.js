#!/usr/bin/env node
// `npm run build`, and before `npm start`, `npm test`, `npm run cli` and `npm run migrate`:
// compiles src and migrations to dist/ only when a source changed since the last build
// (`--force` builds anyway), and never takes dist/ away from a service that is running from it:
// the new build is made in a folder of its own, then renamed into place. `--bench` does the same
// for `npm run bench`: the service and the benchmarks together in dist-bench/, apart from the
// production build.
'use strict';
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
/** What a build reads (folders and files) and which TypeScript config compiles it where. */
const TARGETS = {
  app: {
    out: 'dist',
    tsconfig: 'tsconfig.build.json',
    dirs: ['src', 'migrations'],
    files: ['tsconfig.json', 'tsconfig.build.json'],
  },
  bench: {
    out: 'dist-bench',
    tsconfig: 'tsconfig.bench.json',
    // The benchmarks share the test suites' PostgreSQL bootstrap (test/support/postgres.ts).
    dirs: ['src', 'migrations', 'bench', path.join('test', 'support')],
    files: ['tsconfig.json', 'tsconfig.build.json', 'tsconfig.bench.json'],
  },
};
const target = TARGETS[process.argv.includes('--bench') ? 'bench' : 'app'];
const DIST = path.join(ROOT, target.out);
/** In the build folder: the hash of the sources it was built from. */
const STAMP = '.build-hash';
/** Held while building, so two commands started at once build once. */
const LOCK = path.join(ROOT, `.${target.out}-lock`);
const LOCK_WAIT_MS = 5 * 60_000;

/** Besides the target's own: this script and the locked dependencies. */
const INPUT_FILES = [
  ...target.files,
  path.join('scripts', 'build.js'),
  'package.json',
  'package-lock.json',
];
/** Written by `npm run bench`, never compiled. */
const NOT_INPUTS = new Set([path.join('bench', 'results')]);

function filesUnder(dir) {
  if (NOT_INPUTS.has(dir)) return [];
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(file);
    return entry.isFile() ? [file] : [];
  });
}

/** Content, not modification times: a checkout or a copy that keeps old times still counts. */
function sourcesHash() {
  const hash = createHash('sha256');
  const files = [...INPUT_FILES, ...target.dirs.flatMap(filesUnder)].sort();
  for (const file of files) {
    hash.update(`${file}\0`);
    hash.update(fs.readFileSync(path.join(ROOT, file)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function builtHash() {
  try {
    return fs.readFileSync(path.join(DIST, STAMP), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

function sleep(ms) {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/** mkdir is atomic: the one that makes the folder holds the lock; a dead holder's lock is taken over. */
function withLock(work) {
  const deadline = Date.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      fs.mkdirSync(LOCK);
      fs.writeFileSync(path.join(LOCK, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
      const holder = Number.parseInt(readOr(path.join(LOCK, 'pid'), ''), 10);
      if (holder && !isAlive(holder)) fs.rmSync(LOCK, { recursive: true, force: true });
      else if (Date.now() > deadline) throw new Error(`${LOCK} is held by process ${holder}`);
      else sleep(200);
    }
  }
  try {
    return work();
  } finally {
    fs.rmSync(LOCK, { recursive: true, force: true });
  }
}

function readOr(file, fallback) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function build(hash) {
  const next = fs.mkdtempSync(path.join(ROOT, `.${target.out}-next-`));
  try {
    const tsc = spawnSync(
      process.execPath,
      [require.resolve('typescript/bin/tsc'), '-p', target.tsconfig, '--outDir', next],
      { cwd: ROOT, stdio: 'inherit' },
    );
    if (tsc.status !== 0) return tsc.status ?? 1;
    // Templates are read at run time from beside the compiled mailer.
    fs.cpSync(path.join(ROOT, 'src/mailer/templates'), path.join(next, 'src/mailer/templates'), {
      recursive: true,
    });
    fs.writeFileSync(path.join(next, STAMP), `${hash}\n`);
    // The build folder is out of place only between two renames; the old build is deleted once
    // the new one is in place, so a running service finds a whole build whenever it looks.
    const old = path.join(ROOT, `.${target.out}-old-${process.pid}`);
    const hadDist = fs.existsSync(DIST);
    if (hadDist) fs.renameSync(DIST, old);
    fs.renameSync(next, DIST);
    if (hadDist) fs.rmSync(old, { recursive: true, force: true });
    return 0;
  } finally {
    fs.rmSync(next, { recursive: true, force: true });
  }
}

const force = process.argv.includes('--force');
const hash = sourcesHash();
if (!force && builtHash() === hash) process.exit(0);
process.exit(withLock(() => (!force && builtHash() === hash ? 0 : build(hash))));
