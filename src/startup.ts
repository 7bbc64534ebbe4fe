import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  appConfig,
  AppConfig,
  checkProcessEnvironment,
  databaseConfig,
  InvalidConfigurationError,
  stripeConfig,
  type StripeConfig,
} from './config';
import { openDatabase, OpenDatabase } from './database/open-database';
import { StripeEmulator } from './stripe-emulator';

/**
 * The start-up path shared by `main.ts` and `cli.ts`: check the whole configuration,
 * then reach PostgreSQL (starting the embedded one when no DATABASE_URL is given).
 */
export async function prepareStartup(): Promise<{
  app: AppConfig;
  stripe: StripeConfig;
  database: OpenDatabase;
}> {
  try {
    checkProcessEnvironment();
  } catch (error) {
    if (error instanceof InvalidConfigurationError) exitWith(error.message);
    throw error;
  }
  const app = appConfig();
  mkdirSync(app.dataDir, { recursive: true });
  const postgresLog = createWriteStream(path.join(app.dataDir, 'postgres.log'), { flags: 'a' });
  const database = await openDatabase(app, databaseConfig(), (line) =>
    postgresLog.write(`${line}\n`),
  ).catch((error: Error) => exitWith(`Cannot open the database: ${error.message}`));
  return { app, stripe: stripeConfig(), database };
}

/**
 * Without a Stripe key, `npm start` serves the built-in Stripe emulator in-process: links,
 * hosted pay pages and signed webhooks all work, and no real money moves. It can never run
 * when a key is set.
 */
export async function startStripeEmulator(
  app: AppConfig,
  stripe: StripeConfig,
): Promise<StripeEmulator | undefined> {
  if (!stripe.emulator) return undefined;
  if (stripe.sharedEmulatorUrl) {
    process.stdout.write(
      `\n*** STRIPE EMULATOR: using the one at ${stripe.sharedEmulatorUrl} (STRIPE_EMULATOR_URL). NO REAL MONEY MOVES.\n\n`,
    );
    return undefined;
  }
  const stateDir = emulatorStateDir(app);
  const emulator = await StripeEmulator.start({
    port: stripe.emulatorPort,
    publicUrl: `http://localhost:${stripe.emulatorPort}`,
    webhookUrl: `http://${reachable(app.host)}:${app.port}/webhooks/stripe`,
    // STRIPE_WEBHOOK_SECRET may pin the secret; otherwise the data folder's own random one.
    webhookSecret: stripe.webhookSecrets.length > 0 ? stripe.webhookSecrets : undefined,
    stateDir,
    // Stripe retries for days; here a minute of tries, then the event waits for the next start.
    webhookAttempts: 8,
    webhookRetryDelayMs: 500,
  });
  process.stdout.write(
    [
      '',
      '*** STRIPE EMULATOR: no STRIPE_SECRET_KEY is set, so payments go to the built-in Stripe',
      `*** emulator at ${emulator.url}. NO REAL MONEY MOVES. Set STRIPE_SECRET_KEY for real Stripe.`,
      `*** Its objects and webhook signing secret are kept in ${stateDir}`,
      '*** (npm run cli -- stripe:webhook-secret prints the secret).',
      '',
    ].join('\n'),
  );
  return emulator;
}

/** Where `npm start`'s emulator keeps its account and signing secret. */
export function emulatorStateDir(app: AppConfig): string {
  return path.join(app.dataDir, 'stripe-emulator');
}

/** An address this machine can connect to for a server bound to `host`. */
function reachable(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

/** The emulator URL a CLI command (or a second instance) talks to: the one `npm start` serves. */
export function emulatorUrl(stripe: StripeConfig): string | undefined {
  if (!stripe.emulator) return undefined;
  return stripe.sharedEmulatorUrl ?? `http://127.0.0.1:${stripe.emulatorPort}`;
}

export function exitWith(message: string): never {
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
}
