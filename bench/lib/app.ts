import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureHttp } from '../../src/app.setup';
import type { StripeConnection } from '../../src/stripe/stripe.service';
import { freePort } from '../../test/support/ports';

export interface BenchApp {
  app: NestExpressApplication;
  url: string;
  db: DataSource;
  close(): Promise<void>;
}

/**
 * The real service as `npm start` builds it (AppModule + the production HTTP wiring) on a
 * benchmark's database, serving real HTTP on 127.0.0.1. `env` is its configuration (read while
 * the app is built, as on start-up).
 */
export async function startApp(options: {
  databaseUrl: string;
  stripe?: StripeConnection;
  env?: Record<string, string>;
}): Promise<BenchApp> {
  const port = await freePort();
  Object.assign(process.env, {
    LOG_LEVEL: 'silent',
    PORT: String(port),
    PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
    ...options.env,
  });
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.register({ databaseUrl: options.databaseUrl, stripe: options.stripe }),
    { bodyParser: false, rawBody: true, logger: false },
  );
  configureHttp(app);
  await app.listen(port, '127.0.0.1');
  return {
    app,
    url: `http://127.0.0.1:${port}`,
    db: app.get(DataSource),
    close: () => app.close(),
  };
}
