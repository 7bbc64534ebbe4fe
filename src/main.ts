import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { configureHttp } from './app.setup';
import { migrateDatabase } from './database/migrate';
import { DemoSeedService } from './seed/demo-seed.service';
import { exitWith, prepareStartup, startStripeEmulator } from './startup';

async function main(): Promise<void> {
  const { app: config, stripe, database } = await prepareStartup();
  const emulator = await startStripeEmulator(config, stripe).catch((error: Error) =>
    exitWith(
      `The Stripe emulator could not start on port ${stripe.emulatorPort}: ${error.message}`,
    ),
  );
  let app: NestExpressApplication | undefined;
  let stopping = false;

  // Drain first, then close the pool, then stop the embedded PostgreSQL: nothing in flight is cut.
  const shutdown = async (signal: string, code = 0): Promise<void> => {
    if (stopping) return;
    stopping = true;
    const logger = app?.get(Logger);
    logger?.log(`${signal} received: finishing in-flight requests`, 'Shutdown');
    setTimeout(() => {
      process.stderr.write(`Shutdown took longer than ${config.shutdownGraceMs} ms; exiting\n`);
      process.exit(1);
    }, config.shutdownGraceMs).unref();
    await app
      ?.close()
      .catch((error: Error) => process.stderr.write(`Closing the app failed: ${error.message}\n`));
    await emulator?.close();
    await database.embedded?.stop();
    process.exit(code);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  try {
    app = await NestFactory.create<NestExpressApplication>(
      AppModule.register({
        databaseUrl: database.url,
        stripe: emulator
          ? { apiUrl: emulator.url, webhookSecrets: emulator.webhookSecrets }
          : { apiUrl: stripe.sharedEmulatorUrl },
      }),
      {
        bufferLogs: true,
        bodyParser: false,
        rawBody: true,
      },
    );
    configureHttp(app);
    const logger = app.get(Logger);
    const applied = await migrateDatabase(app.get(DataSource));
    if (applied.length > 0) logger.log(`Applied migrations: ${applied.join(', ')}`, 'Database');
    // Only Courtside's own embedded database is ever seeded; a DATABASE_URL is someone's real data.
    const seed = database.embedded ? await app.get(DemoSeedService).seedIfEmpty() : undefined;
    await app.listen(config.port, config.host);
    const base = config.publicBaseUrl;
    const lines = [
      `Courtside is running on ${base} (listening on ${config.host}:${config.port})`,
      `  health:  ${base}/health`,
      `  API docs: ${base}/docs`,
      database.embedded
        ? `  database: embedded PostgreSQL in ${config.dataDir}/pg`
        : '  database: DATABASE_URL',
    ];
    if (seed?.apiKey) {
      lines.push(
        '',
        `Seeded the demo club "${seed.tenantSlug}". Its admin API key (shown once, store it now):`,
        `  ${seed.apiKey}`,
        `  curl -H "Authorization: Bearer ${seed.apiKey}" ${base}/admin/players`,
        `Minted ${seed.linksMinted ?? 0} Pay Now links for its unpaid orders. Preview the statement email:`,
        `  curl -X POST -H "Authorization: Bearer ${seed.apiKey}" "${base}/admin/email/outstanding-balance?dry_run=true"`,
      );
      if (seed.cardsSaved && seed.nextMonth)
        lines.push(
          `${seed.cardsSaved} demo families have a saved card (one of them declines). See next month's run (a dry run; add --commit to bill):`,
          `  npm run cli -- billing:run-month --tenant ${seed.tenantSlug} --month ${seed.nextMonth}`,
        );
    }
    process.stdout.write(`\n${lines.join('\n')}\n\n`);
  } catch (error) {
    await app?.close().catch(() => undefined);
    await emulator?.close();
    await database.embedded?.stop();
    exitWith(`Courtside could not start: ${(error as Error).message}`);
  }
}

void main();
