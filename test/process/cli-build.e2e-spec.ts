import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Service } from '../support/service';

const REPO = path.resolve(__dirname, '../..');

/**
 * `npm run cli` builds before it runs. Here on a copy of the checkout (its sources, configs and
 * current dist/, the installed packages linked), so rebuilding never touches the dist/ that
 * the other suites run.
 */
describe('npm run cli next to a running npm start', () => {
  let root: string;
  let service: Service | undefined;

  beforeAll(() => {
    root = mkdtempSync(path.join(tmpdir(), 'courtside-checkout-'));
    for (const entry of [
      'src',
      'migrations',
      'scripts',
      'dist',
      'tsconfig.json',
      'tsconfig.build.json',
      'package.json',
      'package-lock.json',
    ])
      cpSync(path.join(REPO, entry), path.join(root, entry), { recursive: true });
    symlinkSync(path.join(REPO, 'node_modules'), path.join(root, 'node_modules'));
  });
  afterAll(async () => {
    await service?.dispose();
    rmSync(root, { recursive: true, force: true });
  }, 30_000);

  const cliArgs = ['run', 'cli', '--', 'api-key:list', '--tenant', 'demo'];
  const npm = (env: Record<string, string>) =>
    spawnSync('npm', cliArgs, { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8' });
  const built = (file: string) => path.join(root, 'dist', file);
  /** Identifies one build of a file: a rebuild writes a new file. */
  const buildOf = (file: string) => {
    const stat = statSync(built(file));
    return { inode: stat.ino, mtimeMs: stat.mtimeMs };
  };

  it('runs without rebuilding when nothing changed; after a change it rebuilds while the service keeps answering and its dist/ files never go missing', async () => {
    // The copied dist/ is current unless the checkout changed since its build: then this builds.
    expect(spawnSync('node', ['scripts/build.js'], { cwd: root }).status).toBe(0);
    service = await Service.create({}, path.join(root, 'dist', 'src'));
    await service.start();
    const key = service.seededApiKey;
    const before = buildOf('src/main.js');

    const unchanged = npm(service.env);
    expect(unchanged.status).toBe(0);
    expect(unchanged.stdout).toContain('admin');
    expect(buildOf('src/main.js')).toEqual(before);

    // A source changes, as when an operator pulls new code while the service runs.
    writeFileSync(path.join(root, 'src', 'build-probe.ts'), 'export const BUILD_PROBE = 1;\n');
    const cli = spawn('npm', cliArgs, {
      cwd: root,
      env: { ...process.env, ...service.env },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => cli.on('exit', resolve));
    let finished = false;
    void exited.then(() => (finished = true));
    const missing: string[] = [];
    const answers: number[] = [];
    while (!finished) {
      for (const file of ['src/main.js', 'src/cli.js', 'src/mailer/templates'])
        if (!existsSync(built(file))) missing.push(file);
      answers.push((await service.admin(key).get('/admin/club')).status);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }

    expect(await exited).toBe(0);
    expect(missing).toEqual([]);
    expect(answers.length).toBeGreaterThan(5);
    expect(new Set(answers)).toEqual(new Set([200]));
    expect(existsSync(built('src/build-probe.js'))).toBe(true);
    expect(buildOf('src/main.js')).not.toEqual(before);
    await expect(service.stop('SIGTERM')).resolves.toBe(0);
  }, 180_000);
});
