import 'reflect-metadata';
import { ConsoleLogger, type INestApplicationContext, type LogLevel } from '@nestjs/common';
import { CommandFactory } from 'nest-commander';
import { DataSource } from 'typeorm';
import { CliModule } from './cli/cli.module';
import { DomainException } from './common/errors/domain.exception';
import { fromPostgresError } from './common/errors/postgres-errors';
import { migrateDatabase } from './database/migrate';
import { emulatorUrl, prepareStartup } from './startup';

/** Warnings go to stderr, so stdout carries only the command's report (`--json` stays parseable). */
class StderrLogger extends ConsoleLogger {
  protected override printMessages(
    messages: unknown[],
    context?: string,
    logLevel?: LogLevel,
    _stream?: 'stdout' | 'stderr',
    errorStack?: unknown,
  ): void {
    super.printMessages(messages, context, logLevel, 'stderr', errorStack);
  }
}

async function main(): Promise<void> {
  const { stripe, database } = await prepareStartup();
  process.once('exit', () => database.embedded?.signalStop());
  let app: INestApplicationContext | undefined;
  try {
    app = await CommandFactory.createWithoutRunning(
      CliModule.register({ databaseUrl: database.url, stripe: { apiUrl: emulatorUrl(stripe) } }),
      {
        logger: new StderrLogger({ logLevels: ['warn', 'error'] }),
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
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await app?.close();
    await database.embedded?.stop();
  }
}

void main();
