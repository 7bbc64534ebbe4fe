import { JobsService } from '../src/jobs/jobs.service';
import { createTestApp, TestApp } from './support/app';
import { factories } from './support/factories';

interface ExpressLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

describe('health and API docs', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('GET /health reports the database up', async () => {
    const res = await t.http().get('/health').expect(200);
    expect(res.body).toMatchObject({ status: 'ok', info: { database: { status: 'up' } } });
  });

  it('GET /health answers 503, not 500, once the database stops answering, and names nothing of it', async () => {
    const doomed = await createTestApp({ env: { LOG_LEVEL: 'fatal' } });
    try {
      await doomed.http().get('/health').expect(200);
      // Its job workers stop first: pg-boss cannot stop them cleanly once their database is
      // gone, and its stop poll would outlive this file (and fail the next one).
      await doomed.app.get(JobsService).beforeApplicationShutdown();
      const name = new URL(doomed.databaseUrl).pathname.slice(1);
      await t.db.query(`DROP DATABASE ${name} WITH (FORCE)`);
      const res = await doomed.http().get('/health').expect(503);
      expect(res.body).toEqual({
        statusCode: 503,
        error: 'service_unavailable',
        message: expect.any(String),
      });
      expect(res.text).not.toContain(name);
    } finally {
      await doomed.close().catch(() => undefined);
    }
  });

  it('serves Swagger UI at /docs', async () => {
    const res = await t.http().get('/docs').redirects(1).expect(200);
    expect(res.text).toMatch(/swagger-ui/i);
  });

  it('documents every route the app serves in /docs-json', async () => {
    const doc = (await t.http().get('/docs-json').expect(200)).body as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = new Set(
      Object.entries(doc.paths).flatMap(([route, ops]) =>
        Object.keys(ops).map(
          (method) => `${method.toUpperCase()} ${route.replace(/\{(\w+)\}/g, ':$1')}`,
        ),
      ),
    );
    const stack = (t.app.getHttpAdapter().getInstance() as { router: { stack: ExpressLayer[] } })
      .router.stack;
    const served = stack
      // Swagger's own pages and Nest's catch-all not-found route are not API routes.
      .filter(
        (layer) =>
          layer.route && !layer.route.path.startsWith('/docs') && layer.route.path !== '/{*path}',
      )
      .flatMap((layer) =>
        Object.keys(layer.route!.methods).map(
          (method) => `${method.toUpperCase()} ${layer.route!.path}`,
        ),
      );
    expect(served.length).toBeGreaterThanOrEqual(25);
    expect(served.filter((route) => !documented.has(route))).toEqual([]);
  });

  it('every response carries X-Request-Id, Swagger UI, its assets and /docs-json included (A10)', async () => {
    const club = await factories(t.db).club();
    const urls = [
      '/docs',
      '/docs/',
      '/docs/swagger-ui.css',
      '/docs/swagger-ui-init.js',
      '/docs-json',
      '/health',
      '/checkout/thanks',
      '/no-such-page',
      '/admin/parents',
    ];
    for (const url of urls) {
      const res = await t.http().get(url);
      expect({ url, id: res.headers['x-request-id'] }).toEqual({
        url,
        id: expect.stringMatching(/^[\w-]{8,64}$/),
      });
    }
    const own = await t
      .http()
      .get('/docs-json')
      .set('X-Request-Id', 'support-ticket-42')
      .expect(200);
    expect(own.headers['x-request-id']).toBe('support-ticket-42');
    await t.as(club.apiKey).get('/admin/parents').expect(200).expect('X-Request-Id', /.{8,}/);
  });

  it('public pages and Swagger UI forbid framing (CSP frame-ancestors none) and content sniffing (A10)', async () => {
    const pages = [
      '/checkout/thanks',
      '/checkout/thanks?session_id=cs_unknown',
      '/checkout/first-payment?token=unknown',
      '/docs/',
      '/docs-json',
      '/health',
    ];
    for (const url of pages) {
      const res = await t.http().get(url);
      const csp = String(res.headers['content-security-policy'] ?? '');
      expect({
        url,
        frameAncestors: csp
          .split(';')
          .map((d) => d.trim())
          .filter((d) => d.startsWith('frame-ancestors')),
        scripts: csp
          .split(';')
          .map((d) => d.trim())
          .filter((d) => d.startsWith('script-src ')),
        nosniff: res.headers['x-content-type-options'],
        frameOptions: res.headers['x-frame-options'],
      }).toEqual({
        url,
        frameAncestors: ["frame-ancestors 'none'"],
        scripts: ["script-src 'self'"],
        nosniff: 'nosniff',
        frameOptions: 'DENY',
      });
    }
  });
});
