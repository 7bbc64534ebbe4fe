import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  appConfig,
  AppConfig,
  checkProcessEnvironment,
  databaseConfig,
  InvalidConfigurationError,
} from './config';
import { openDatabase, OpenDatabase } from './database/open-database';

/**
 * The start-up path shared by `main.ts` and `cli.ts`: check the whole configuration,
 * then reach PostgreSQL (starting the embedded one when no DATABASE_URL is given).
 */
export async function prepareStartup(): Promise<{ app: AppConfig; database: OpenDatabase }> {
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
  return { app, database };
}

export function exitWith(message: string): never {
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
}
