import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { AdminApiKey } from '../src/club/entities/admin-api-key.entity';
import type { TestApp } from './support/app';
import { factories } from './support/factories';
import { rowCounts } from './support/rows';
import { withStripeApp } from './support/stripe';

/**
 * Scenarios A1 and A2: who may reach an /admin route, and which club's rows a key can see.
 * The routes come from the app's own OpenAPI document, so a route added later is covered
 * without touching this file.
 */

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const METHODS: readonly Method[] = ['get', 'post', 'put', 'patch', 'delete'];

interface OpenApiOperation {
  parameters?: { name: string; in: string }[];
  requestBody?: { content: Record<string, unknown> };
}
interface OpenApiDocument {
  paths: Record<string, Partial<Record<string, OpenApiOperation>>>;
}
interface Route {
  method: Method;
  /** The documented path, with `{id}`-style placeholders. */
  path: string;
  operation: OpenApiOperation;
}

/** The /admin routes that exist today; the enumeration must find at least these. */
const KNOWN_ADMIN_ROUTES = [
  'GET /admin/club',
  'PATCH /admin/club',
  'GET /admin/parents',
  'POST /admin/parents',
  'GET /admin/parents/{id}',
  'PATCH /admin/parents/{id}',
  'DELETE /admin/parents/{id}',
  'GET /admin/teams',
  'POST /admin/teams',
  'GET /admin/teams/{id}',
  'PATCH /admin/teams/{id}',
  'DELETE /admin/teams/{id}',
  'GET /admin/players',
  'POST /admin/players',
  'GET /admin/players/{id}',
  'PATCH /admin/players/{id}',
  'DELETE /admin/players/{id}',
  'GET /admin/products',
  'POST /admin/products',
  'GET /admin/products/{id}',
  'PATCH /admin/products/{id}',
  'GET /admin/orders',
  'POST /admin/orders',
  'GET /admin/orders/{id}',
  'PATCH /admin/orders/{id}',
  'POST /admin/orders/{id}/cancel',
  'POST /admin/roster/import',
];

/** Tables holding a club's rows, with the tenant column that scopes them. */
const CLUB_TABLES = [
  'parents',
  'teams',
  'players',
  'products',
  'orders',
  'payment_links',
  'tournaments',
  'tournament_teams',
  'tournament_commitments',
  'tournament_orders',
  'audit_log',
  'billing_runs',
  'charge_attempts',
  'reminders_sent',
] as const;
/** Counted before and after a refused request: it must write nothing anywhere. */
const COUNTED_TABLES = ['tenants', 'admin_api_keys', ...CLUB_TABLES];

type Resource =
  | 'parents'
  | 'teams'
  | 'players'
  | 'products'
  | 'orders'
  | 'payment-links'
  | 'blasts'
  | 'tournaments'
  | 'runs';
type FullClub = Awaited<ReturnType<ReturnType<typeof factories>['fullClub']>>;

const label = (route: Pick<Route, 'method' | 'path'>) =>
  `${route.method.toUpperCase()} ${route.path}`;

async function adminRoutes(t: TestApp): Promise<Route[]> {
  const doc = (await t.http().get('/docs-json').expect(200)).body as OpenApiDocument;
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/admin'))
    .flatMap(([path, operations]) =>
      METHODS.flatMap((method) => {
        const operation = operations[method];
        return operation ? [{ method, path, operation }] : [];
      }),
    );
}

function idsOf(club: FullClub): Record<Resource, number> {
  return {
    parents: club.parent.id,
    teams: club.team.id,
    players: club.player.id,
    products: club.product.id,
    orders: club.order.id,
    'payment-links': club.paymentLink.id,
    blasts: club.blast.id,
    tournaments: club.tournament.id,
    runs: club.billingRun.id,
  };
}

/** The resource a path parameter names: `{id}` is the segment before it, `{parentId}` is parents. */
function resourceOf(path: string, param: string): string {
  if (param !== 'id') return `${param.replace(/_?id$/i, '')}s`;
  const segments = path.split('/');
  return segments[segments.indexOf('{id}') - 1];
}

function fillPath(
  path: string,
  ids: Record<string, number>,
  onUnknown: (resource: string) => number,
): string {
  return path.replace(/\{(\w+)\}/g, (_, param: string) => {
    const resource = resourceOf(path, param);
    return String(ids[resource] ?? onUnknown(resource));
  });
}

const takesId = (route: Route) => /\{\w+\}/.test(route.path);

/** A body the route accepts the shape of, so that only the key decides the answer. */
function bodyFor(route: Route): { type: string; body: string | object } | undefined {
  const content = route.operation.requestBody?.content ?? {};
  if ('text/csv' in content)
    return { type: 'text/csv', body: 'parent_name,player_name\nIvy Intruder,Ian Intruder\n' };
  if (route.method === 'post' || route.method === 'patch' || route.method === 'put')
    return { type: 'application/json', body: { name: 'Intruder' } };
  return undefined;
}

function send(t: TestApp, route: Route, url: string, authorization?: string) {
  let req = t.http()[route.method](url);
  if (authorization !== undefined) req = req.set('Authorization', authorization);
  const body = bodyFor(route);
  return body ? req.set('Content-Type', body.type).send(body.body) : req;
}

/** Every row a club owns, table by table, as the database holds it. */
async function clubRows(db: DataSource, tenantId: number): Promise<Record<string, unknown[]>> {
  const rows: Record<string, unknown[]> = {};
  rows.tenants = (await db.query('SELECT * FROM tenants WHERE id = $1', [tenantId])) as unknown[];
  for (const table of CLUB_TABLES)
    rows[table] = (await db.query(`SELECT * FROM ${table} WHERE tenant_id = $1 ORDER BY id`, [
      tenantId,
    ])) as unknown[];
  return rows;
}

function unauthorizedProblem(res: Response, secret?: string): string | undefined {
  if (res.status !== 401) return `answered ${res.status}`;
  const body = res.body as Record<string, unknown>;
  if (
    body.statusCode !== 401 ||
    body.error !== 'unauthorized' ||
    typeof body.message !== 'string' ||
    Object.keys(body).some((key) => !['statusCode', 'error', 'message'].includes(key))
  )
    return `answered 401 with ${JSON.stringify(body)}`;
  if (secret && res.text.includes(secret)) return 'echoed the key in its body';
  return undefined;
}

describe('admin access: every /admin route needs a live key of its own club (A1, A2)', () => {
  let t: TestApp;
  let routes: Route[];

  withStripeApp((made) => ({ t } = made));
  beforeAll(async () => {
    routes = await adminRoutes(t);
  });

  it('enumerates at least every /admin route that exists today from the OpenAPI document', () => {
    expect(routes.map(label)).toEqual(expect.arrayContaining(KNOWN_ADMIN_ROUTES));
    expect(routes.length).toBeGreaterThanOrEqual(KNOWN_ADMIN_ROUTES.length);
  });

  describe('A1: without a valid key, every /admin route answers 401 and does nothing', () => {
    let club: FullClub;

    beforeAll(async () => {
      club = await factories(t.db).fullClub();
    });

    /** Sends every route with the header, and lists the routes that did not answer a clean 401. */
    async function sweep(authorization: string | undefined, secret?: string): Promise<string[]> {
      const failures: string[] = [];
      for (const route of routes) {
        const url = fillPath(route.path, idsOf(club), () => club.parent.id);
        const problem = unauthorizedProblem(await send(t, route, url, authorization), secret);
        if (problem) failures.push(`${label(route)} (${url}) ${problem}`);
      }
      return failures;
    }

    it('every /admin route answers 401 without an Authorization header, and writes nothing', async () => {
      const before = await rowCounts(t.db, COUNTED_TABLES);
      expect(routes.length).toBeGreaterThanOrEqual(KNOWN_ADMIN_ROUTES.length);
      expect(await sweep(undefined)).toEqual([]);
      expect(await rowCounts(t.db, COUNTED_TABLES)).toEqual(before);
    });

    it('every /admin route answers 401 to a well-formed key that was never issued', async () => {
      const before = await rowCounts(t.db, COUNTED_TABLES);
      const wrong = `cs_admin_${randomBytes(32).toString('base64url')}`;
      expect(await sweep(`Bearer ${wrong}`, wrong)).toEqual([]);
      // One character off a real key is just as wrong.
      const nearMiss = `${club.apiKey.slice(0, -1)}${club.apiKey.endsWith('A') ? 'B' : 'A'}`;
      expect(await sweep(`Bearer ${nearMiss}`, nearMiss)).toEqual([]);
      expect(await rowCounts(t.db, COUNTED_TABLES)).toEqual(before);
    });

    it('every /admin route answers 401 to a malformed Authorization header, even one carrying a valid key', async () => {
      const before = await rowCounts(t.db, COUNTED_TABLES);
      const key = club.apiKey;
      // (A trailing space is not among them: HTTP itself strips it from a header value.)
      const malformed = [
        '',
        'Bearer',
        'Bearer ',
        key,
        `bearer ${key}`,
        `BEARER ${key}`,
        `Bearer  ${key}`,
        `Bearer ${key} extra`,
        `Bearer ${key},Bearer ${key}`,
        `Token ${key}`,
        `Basic ${Buffer.from(`admin:${key}`).toString('base64')}`,
        'Bearer short',
        `Bearer ${'a'.repeat(5_000)}`,
        'Bearer cs_admin_<script>alert(1)</script>',
        "Bearer ' OR '1'='1' --",
      ];
      const failures: string[] = [];
      for (const header of malformed)
        failures.push(
          ...(await sweep(header, key)).map(
            (f) => `[${header.replace(key, '<key>').slice(0, 60)}] ${f}`,
          ),
        );
      expect(failures).toEqual([]);
      expect(await rowCounts(t.db, COUNTED_TABLES)).toEqual(before);
    });

    it('every /admin route answers 401 to a revoked key, and a revoked key is not marked as used', async () => {
      const f = factories(t.db);
      const revoked = await f.apiKey(club.tenant.id, { revokedAt: new Date() });
      const before = await rowCounts(t.db, COUNTED_TABLES);
      expect(await sweep(`Bearer ${revoked.key}`, revoked.key)).toEqual([]);
      expect(await rowCounts(t.db, COUNTED_TABLES)).toEqual(before);
      const row = await t.db.getRepository(AdminApiKey).findOneByOrFail({ id: revoked.id });
      expect(row.lastUsedAt).toBeNull();
    });

    it('a key stops working on every /admin route the moment it is revoked', async () => {
      const { key, id } = await factories(t.db).apiKey(club.tenant.id);
      await t.as(key).get(`/admin/parents/${club.parent.id}`).expect(200);
      await t.db.getRepository(AdminApiKey).update({ id }, { revokedAt: new Date() });
      expect(await sweep(`Bearer ${key}`, key)).toEqual([]);
      // The club's other keys keep working.
      await t.as(club.apiKey).get(`/admin/parents/${club.parent.id}`).expect(200);
    });
  });

  describe("A2: a key of club A never reaches club B's rows", () => {
    let a: FullClub;
    let b: FullClub;
    /** Text that appears only in club B's rows; no answer to A's key may contain any of it. */
    let bMarkers: string[];

    const patchBodies: Record<Resource, object> = {
      parents: { name: 'Renamed by club A', phone: '555-0199' },
      teams: { name: 'Renamed by club A', monthly_fee_cents: 1 },
      players: { name: 'Renamed by club A', contract_status: 'terminated' },
      products: { name: 'Renamed by club A', price_cents: 1, active: false },
      orders: { notes: 'changed by club A' },
      'payment-links': {},
      blasts: {},
      tournaments: { name: 'Renamed by club A', location: 'Elsewhere' },
      runs: {},
    };
    /** POST routes whose body must name the club's own rows to get past validation. */
    const postBodies = (own: FullClub): Record<string, object> => ({
      '/admin/tournaments/{id}/teams': { team_id: own.team.id, product_id: own.product.id },
      '/admin/tournaments/{id}/commitments': { player_id: own.player.id, status: 'committed' },
    });

    beforeAll(async () => {
      const f = factories(t.db);
      a = await f.fullClub();
      b = await f.fullClub();
      const marker = `club-b-order-${randomBytes(4).toString('hex')}`;
      await t.db.query('UPDATE orders SET notes = $1 WHERE id = $2', [marker, b.order.id]);
      bMarkers = [
        b.tenant.slug,
        b.parent.name,
        b.parent.email!,
        b.team.name,
        b.player.name,
        b.product.name,
        marker,
      ];
    });

    const bIds = () => idsOf(b) as Record<string, number>;
    const unknownResource = (resource: string): number => {
      throw new Error(
        `No club B id for "${resource}": give admin-access.e2e-spec.ts an id of that kind`,
      );
    };

    /** The body a route is sent in these tests: a valid change for PATCH, none to speak of otherwise. */
    const bodyOf = (route: Route, own: FullClub): object | undefined =>
      route.method === 'patch' || route.method === 'put'
        ? (patchBodies[resourceOf(route.path, 'id') as Resource] ?? {})
        : route.method === 'post'
          ? (postBodies(own)[route.path] ?? {})
          : undefined;

    function call(route: Route, url: string, apiKey: string, own: FullClub = a) {
      const req = t.http()[route.method](url).set('Authorization', `Bearer ${apiKey}`);
      const body = bodyOf(route, own);
      return body === undefined ? req : req.send(body);
    }

    /** One request as club A's key on a route, given club B's ids. */
    const asA = (route: Route, url: string) => call(route, url, a.apiKey);

    async function notFoundLikeAMissingId(route: Route, resource: Resource): Promise<void> {
      const id = idsOf(b)[resource];
      const res = await asA(route, fillPath(route.path, bIds(), unknownResource));
      expect({ route: label(route), status: res.status }).toEqual({
        route: label(route),
        status: 404,
      });
      // Indistinguishable from an id that was never issued.
      const missingId = 2_000_000_000;
      const missing = await asA(route, route.path.replace('{id}', String(missingId)));
      expect(res.body).toEqual({
        ...(missing.body as object),
        message: (missing.body as { message: string }).message.replace(
          String(missingId),
          String(id),
        ),
      });
      expect(res.body).toMatchObject({ statusCode: 404, error: 'not_found' });
    }

    it.each([
      ['parent', 'parents', ['get', 'patch', 'delete']],
      ['team', 'teams', ['get', 'patch', 'delete']],
      ['player', 'players', ['get', 'patch', 'delete']],
      ['product', 'products', ['get', 'patch']],
      ['order', 'orders', ['get', 'patch']],
    ] as [string, Resource, Method[]][])(
      "a key of club A reading, changing or deleting club B's %s gets 404, exactly as for a missing id, and B's rows stay as they were",
      async (_, resource, methods) => {
        const before = await clubRows(t.db, b.tenant.id);
        const auditBefore = await rowCounts(t.db, COUNTED_TABLES);
        for (const method of methods) {
          const route = routes.find(
            (r) => r.method === method && r.path === `/admin/${resource}/{id}`,
          );
          expect({ method, route: route && label(route) }).toEqual({
            method,
            route: `${method.toUpperCase()} /admin/${resource}/{id}`,
          });
          await notFoundLikeAMissingId(route!, resource);
        }
        expect(await clubRows(t.db, b.tenant.id)).toEqual(before);
        expect(await rowCounts(t.db, COUNTED_TABLES)).toEqual(auditBefore);
      },
    );

    it("a key of club A cancelling club B's order gets 404 and the order stays pending", async () => {
      const route = routes.find((r) => label(r) === 'POST /admin/orders/{id}/cancel');
      expect(route).toBeDefined();
      await notFoundLikeAMissingId(route!, 'orders');
      const [order] = (await t.db.query('SELECT status FROM orders WHERE id = $1', [
        b.order.id,
      ])) as { status: string }[];
      expect(order.status).toBe('pending');
    });

    it("every documented route that takes an id answers 404 to club A's key given club B's ids, and nothing of B's changes", async () => {
      const idRoutes = routes.filter(takesId);
      expect(idRoutes.length).toBeGreaterThanOrEqual(
        KNOWN_ADMIN_ROUTES.filter((r) => r.includes('{')).length,
      );
      const before = await clubRows(t.db, b.tenant.id);
      const countsBefore = await rowCounts(t.db, COUNTED_TABLES);
      const failures: string[] = [];
      for (const route of idRoutes) {
        const url = fillPath(route.path, bIds(), unknownResource);
        const res = await asA(route, url);
        if (res.status !== 404 || (res.body as { error?: string }).error !== 'not_found')
          failures.push(`${label(route)} (${url}) answered ${res.status} ${res.text}`);
      }
      expect(failures).toEqual([]);
      expect(await clubRows(t.db, b.tenant.id)).toEqual(before);
      expect(await rowCounts(t.db, COUNTED_TABLES)).toEqual(countsBefore);
    });

    it("club C's own key gets past the same routes with its own ids, so the 404s above are about ownership", async () => {
      const c = await factories(t.db).fullClub();
      // C's link must exist at Stripe for its deactivation to get through: mint a real one.
      await t.db.query(`UPDATE payment_links SET status = 'deactivated' WHERE id = $1`, [
        c.paymentLink.id,
      ]);
      const minted = await t
        .http()
        .post(`/admin/orders/${c.paymentLink.orderId}/payment-link`)
        .set('Authorization', `Bearer ${c.apiKey}`)
        .expect(201);
      c.paymentLink = { ...c.paymentLink, id: minted.body.id as number };
      const order: Method[] = ['get', 'patch', 'put', 'post', 'delete'];
      const failures: string[] = [];
      for (const route of [...routes.filter(takesId)].sort(
        (x, y) => order.indexOf(x.method) - order.indexOf(y.method),
      )) {
        const url = fillPath(route.path, idsOf(c), unknownResource);
        const res = await call(route, url, c.apiKey, c);
        const ok =
          route.method === 'get' || route.method === 'patch'
            ? res.status === 200
            : res.status !== 404 && res.status < 500;
        if (!ok) failures.push(`${label(route)} (${url}) answered ${res.status} ${res.text}`);
      }
      expect(failures).toEqual([]);
    });

    it("no list or read without an id, with club A's key, mentions any of club B's rows", async () => {
      const listRoutes = routes.filter((r) => r.method === 'get' && !takesId(r));
      expect(listRoutes.length).toBeGreaterThanOrEqual(
        KNOWN_ADMIN_ROUTES.filter((r) => r.startsWith('GET') && !r.includes('{')).length,
      );
      const failures: string[] = [];
      for (const route of listRoutes) {
        const paged = route.operation.parameters?.some((p) => p.name === 'limit');
        const res = await t.as(a.apiKey).get(`${route.path}${paged ? '?limit=100' : ''}`);
        if (res.status !== 200) {
          failures.push(`${label(route)} answered ${res.status}`);
          continue;
        }
        const leaked = bMarkers.filter((marker) => res.text.includes(marker));
        if (leaked.length > 0) failures.push(`${label(route)} shows ${leaked.join(', ')}`);
        const resource = route.path.split('/')[2] as Resource;
        const data = (res.body as { data?: { id: number }[] }).data;
        if (data && resource in idsOf(a)) {
          const ids = data.map((row) => row.id);
          if (ids.includes(idsOf(b)[resource]))
            failures.push(`${label(route)} lists B's ${resource}`);
          if (!ids.includes(idsOf(a)[resource]))
            failures.push(`${label(route)} does not even list A's own ${resource}`);
        }
      }
      expect(failures).toEqual([]);
    });

    it("filters and paging with club B's ids, with club A's key, find nothing", async () => {
      const admin = t.as(a.apiKey);
      const empty = { data: [], has_more: false };
      for (const url of [
        `/admin/players?parent_id=${b.parent.id}`,
        `/admin/players?team_id=${b.team.id}`,
        `/admin/orders?player_id=${b.player.id}`,
        `/admin/orders?parent_id=${b.parent.id}`,
        `/admin/parents?email=${encodeURIComponent(b.parent.email!)}`,
        `/admin/parents?starting_after=${a.parent.id}`,
        `/admin/teams?starting_after=${a.team.id}`,
        `/admin/players?starting_after=${a.player.id}`,
        `/admin/products?starting_after=${a.product.id}`,
        `/admin/orders?starting_after=${a.paymentLink.orderId}`,
        `/admin/payment-links?player_id=${b.player.id}`,
        `/admin/payment-links?order_id=${b.paymentLink.orderId}`,
        `/admin/payment-links?starting_after=${a.paymentLink.id}`,
      ]) {
        const res = await admin.get(url);
        expect({ url, status: res.status, body: res.body as unknown }).toEqual({
          url,
          status: 200,
          body: empty,
        });
      }
    });

    it("creating a player with club B's parent or team answers 404 and writes nothing", async () => {
      const admin = t.as(a.apiKey);
      const before = await rowCounts(t.db, COUNTED_TABLES);
      await admin
        .post('/admin/players')
        .send({ name: 'Poached Player', parent_id: b.parent.id })
        .expect(404)
        .expect((res) => expect(res.body).toMatchObject({ error: 'not_found' }));
      await admin
        .post('/admin/players')
        .send({ name: 'Poached Player', parent_id: a.parent.id, team_id: b.team.id })
        .expect(404)
        .expect((res) => expect(res.body).toMatchObject({ error: 'not_found' }));
      expect(await rowCounts(t.db, COUNTED_TABLES)).toEqual(before);
    });

    it("moving club A's player to club B's parent or team answers 404 and leaves the player as it was", async () => {
      const admin = t.as(a.apiKey);
      const before = await clubRows(t.db, a.tenant.id);
      const counts = await rowCounts(t.db, COUNTED_TABLES);
      await admin
        .patch(`/admin/players/${a.player.id}`)
        .send({ parent_id: b.parent.id })
        .expect(404);
      await admin.patch(`/admin/players/${a.player.id}`).send({ team_id: b.team.id }).expect(404);
      expect(await clubRows(t.db, a.tenant.id)).toEqual(before);
      expect(await rowCounts(t.db, COUNTED_TABLES)).toEqual(counts);
    });

    it("creating an order for club B's player or product answers 404 and writes nothing", async () => {
      const admin = t.as(a.apiKey);
      const before = await rowCounts(t.db, COUNTED_TABLES);
      await admin
        .post('/admin/orders')
        .send({ player_id: b.player.id, product_id: a.product.id })
        .expect(404)
        .expect((res) => expect(res.body).toMatchObject({ error: 'not_found' }));
      await admin
        .post('/admin/orders')
        .send({ player_id: a.player.id, product_id: b.product.id, amount_cents: 100 })
        .expect(404)
        .expect((res) => expect(res.body).toMatchObject({ error: 'not_found' }));
      expect(await rowCounts(t.db, COUNTED_TABLES)).toEqual(before);
    });
  });
});
