import { createTestApp, TestApp } from './support/app';

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
});
