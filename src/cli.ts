import 'reflect-metadata';
import { CommandFactory } from 'nest-commander';
import { DataSource } from 'typeorm';
import { CliModule } from './cli/cli.module';
import { DomainException } from './common/errors/domain.exception';
import { fromPostgresError } from './common/errors/postgres-errors';
import { migrateDatabase } from './database/migrate';
import { emulatorUrl, prepareStartup } from './startup';

async function main(): Promise<void> {
  const { stripe, database } = await prepareStartup();
  try {
    const app = await CommandFactory.createWithoutRunning(
      CliModule.register({ databaseUrl: database.url, stripeApiUrl: emulatorUrl(stripe) }),
      {
        logger: ['warn', 'error'],
        serviceErrorHandler: (error) => {
          const known = error instanceof DomainException ? error : fromPostgresError(error);
          process.stderr.write(`${known ? known.message : `Error: ${error.message}`}\n`);
          process.exitCode = 1;
        },
      },
    );
    const applied = await migrateDatabase(app.get(DataSource));
    if (applied.length > 0) process.stderr.write(`Applied migrations: ${applied.join(', ')}\n`);
    await CommandFactory.runApplication(app);
    await app.close();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await database.embedded?.stop();
  }
}

void main();
