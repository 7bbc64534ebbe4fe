import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { configureHttp } from '../../src/app.setup';
import { createTestDatabase } from './database';
import { freePort } from './ports';
import { TEST_WEBHOOK_SECRET } from './webhook-secret';
import type { StripeEmulator } from '../../src/stripe-emulator';

export interface TestApp {
  app: NestExpressApplication;
  db: DataSource;
  databaseUrl: string;
  /** Where the app listens (with `stripe`), which pay pages redirect back to. */
  publicUrl?: string;
  /** Unauthenticated requests against the real HTTP stack. */
  http: () => request.Agent;
  /** Requests as the holder of an admin API key. */
  as: (apiKey: string) => AdminClient;
  close: () => Promise<void>;
}

export type AdminClient = Record<
  'get' | 'post' | 'patch' | 'delete',
  (url: string) => request.Test
>;

/**
 * The real AppModule on this file's own database, with the production HTTP wiring.
 * `env` sets configuration for this app only (it is read while the app is built); with
 * `stripe`, the app talks to that emulator and listens on a port for its webhooks. With
 * `databaseUrl` (another test app's), it is a second instance on that app's database.
 */
export async function createTestApp(
  options: { env?: Record<string, string>; stripe?: StripeEmulator; databaseUrl?: string } = {},
): Promise<TestApp> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
  // With Stripe, the app serves real HTTP: pay pages redirect back to its public URL.
  let port = options.stripe ? await freePort() : undefined;
  let app = await buildApp(databaseUrl, port, options);
  for (let tries = 1; options.stripe; tries++) {
    try {
      // The emulator delivers webhooks over real HTTP, as Stripe does.
      await app.listen(port!, '127.0.0.1');
      break;
    } catch (error) {
      // Another process took the free port meanwhile: close this app (its job workers run
      // already; left open they would outlive the test file), and build one on another port.
      await app.close();
      if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || tries === 3) throw error;
      port = await freePort();
      app = await buildApp(databaseUrl, port, options);
    }
  }
  if (options.stripe) options.stripe.setWebhookUrl(`${await app.getUrl()}/webhooks/stripe`);
  const server = app.getHttpServer();
  return {
    app,
    db: app.get(DataSource),
    databaseUrl,
    publicUrl: port ? `http://127.0.0.1:${port}` : undefined,
    http: () => request.agent(server),
    as: (apiKey) => {
      const auth = (test: request.Test) => test.set('Authorization', `Bearer ${apiKey}`);
      return {
        get: (url) => auth(request(server).get(url)),
        post: (url) => auth(request(server).post(url)),
        patch: (url) => auth(request(server).patch(url)),
        delete: (url) => auth(request(server).delete(url)),
      };
    },
    close: () => app.close(),
  };
}

/** The app, initialised (its job workers running), not yet listening. */
async function buildApp(
  databaseUrl: string,
  port: number | undefined,
  options: { env?: Record<string, string>; stripe?: StripeEmulator },
): Promise<NestExpressApplication> {
  const served: Record<string, string> = port
    ? { PORT: String(port), PUBLIC_BASE_URL: `http://127.0.0.1:${port}` }
    : {};
  // No wall-clock cron tick (the month run, reminders) in a suite unless it asks for one.
  const quiet = { LOG_LEVEL: 'error', SCHEDULED_JOBS: 'off' };
  return withEnv({ ...quiet, ...served, ...options.env }, async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        AppModule.register({
          databaseUrl,
          stripe: {
            apiUrl: options.stripe?.url,
            webhookSecrets: options.stripe?.webhookSecrets ?? [TEST_WEBHOOK_SECRET],
          },
        }),
      ],
    }).compile();
    const nest = moduleRef.createNestApplication<NestExpressApplication>({
      bodyParser: false,
      rawBody: true,
      bufferLogs: true,
    });
    configureHttp(nest);
    await nest.init();
    return nest;
  });
}

async function withEnv<T>(env: Record<string, string>, work: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(env).map((key) => [key, process.env[key]]));
  Object.assign(process.env, env);
  try {
    return await work();
  } finally {
    for (const [key, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
}
