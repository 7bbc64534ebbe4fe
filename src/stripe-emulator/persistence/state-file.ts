import { linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { AccountSnapshot } from '../objects/emulator-state';
import type { SavedKey } from '../reliability/idempotency-store';
import { newWebhookSecret } from '../webhooks/webhook-signature';

/** What survives a restart: the account, the idempotency keys, the deliveries still owed. */
export interface EmulatorSnapshot {
  version: 1;
  account: AccountSnapshot;
  idempotencyKeys: SavedKey[];
  undeliveredEventIds: string[];
}

const STATE_FILE = 'state.json';
const SECRET_FILE = 'webhook-secret';
const SECRET = /^whsec_\w+$/;

/**
 * The emulator's folder (`npm start` uses `<DATA_DIR>/stripe-emulator/`): its state in one JSON
 * file, replaced whole (write, then rename) after every call that changed it, before the answer
 * leaves — so whatever a caller was told exists still exists after a crash or a restart. Meant
 * for a development account (hundreds of objects), not for a benchmark's thousands.
 */
export class StateFolder {
  private lastWritten?: string;

  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  read(): EmulatorSnapshot | undefined {
    let text: string;
    try {
      text = readFileSync(path.join(this.dir, STATE_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const snapshot = JSON.parse(text) as EmulatorSnapshot;
    if (snapshot.version !== 1)
      throw new Error(`${path.join(this.dir, STATE_FILE)} has unknown version ${snapshot.version}`);
    this.lastWritten = text;
    return snapshot;
  }

  /** Writes the snapshot unless it is what the file already holds. */
  write(snapshot: EmulatorSnapshot): void {
    const text = JSON.stringify(snapshot);
    if (text === this.lastWritten) return;
    const file = path.join(this.dir, STATE_FILE);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, text, { mode: 0o600 });
    renameSync(temporary, file);
    this.lastWritten = text;
  }

  webhookSecret(): string {
    return webhookSecretIn(this.dir);
  }
}

/**
 * The webhook signing secret of an emulator folder, made on first use: random, so no code or
 * document holds a secret that verifies a forged event. Created with a hard link, which fails
 * when the file exists: two processes starting at once agree on one secret.
 */
export function webhookSecretIn(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, SECRET_FILE);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, `${newWebhookSecret()}\n`, { mode: 0o600 });
  try {
    linkSync(temporary, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  const secret = readFileSync(file, 'utf8').trim();
  if (!SECRET.test(secret))
    throw new Error(`${file} holds no whsec_ secret; delete it and a new one is made`);
  return secret;
}
