import { gzipSync } from 'node:zlib';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp, TestApp } from './support/app';
import { factories } from './support/factories';
import { rowCounts } from './support/rows';

/**
 * Scenario A3: bad input of every kind is a 400 naming the field (or a 413 for a body over
 * the limit), never a 500, and nothing is written. The routes and their fields come from the
 * app's own OpenAPI document, so a route or a field added later is driven through the same
 * tables.
 */

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
const METHODS: readonly Method[] = ['get', 'post', 'put', 'patch', 'delete'];

interface Schema {
  type?: string;
  format?: string;
  enum?: unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  nullable?: boolean;
  properties?: Record<string, Schema>;
  required?: string[];
  $ref?: string;
}
interface OpenApiOperation {
  parameters?: { name: string; in: string; schema?: Schema }[];
  requestBody?: { content: Record<string, { schema?: Schema }> };
}
interface OpenApiDocument {
  paths: Record<string, Partial<Record<string, OpenApiOperation>>>;
  components?: { schemas?: Record<string, Schema> };
}
interface Route {
  method: Method;
  path: string;
  operation: OpenApiOperation;
  /** The resolved JSON body schema, for routes that take JSON. */
  body?: Schema;
}

type FullClub = Awaited<ReturnType<ReturnType<typeof factories>['fullClub']>>;
type Resource = 'parents' | 'teams' | 'players' | 'products' | 'orders' | 'tournaments';

/** Every POST and PATCH admin route that exists today. */
const KNOWN_WRITE_ROUTES = [
  'PATCH /admin/club',
  'POST /admin/parents',
  'PATCH /admin/parents/{id}',
  'POST /admin/teams',
  'PATCH /admin/teams/{id}',
  'POST /admin/players',
  'PATCH /admin/players/{id}',
  'POST /admin/products',
  'PATCH /admin/products/{id}',
  'POST /admin/orders',
  'PATCH /admin/orders/{id}',
  'POST /admin/orders/{id}/cancel',
  'POST /admin/roster/import',
];

/** A body each JSON route accepts as it is (checked by the last test); the tables spoil one field at a time. */
function validBodies(club: FullClub): Record<string, Record<string, unknown>> {
  return {
    'PATCH /admin/club': {
      name: 'Valid Club',
      from_name: 'Valid Club Office',
      brand_primary_color: '#112233',
      brand_accent_color: '#AABBCC',
      logo_url: 'https://example.com/logo.png',
      reply_to: 'office@example.com',
      timezone: 'America/Chicago',
    },
    'POST /admin/parents': {
      name: 'Valid Parent',
      email: 'valid.new@example.com',
      phone: '555-0100',
    },
    'PATCH /admin/parents/{id}': {
      name: 'Valid Parent Renamed',
      email: 'valid.renamed@example.com',
      phone: '+1 (555) 010-0101',
    },
    'POST /admin/teams': { name: 'Valid Team', season: '2026-27', monthly_fee_cents: 12_500 },
    'PATCH /admin/teams/{id}': {
      name: 'Valid Team Renamed',
      season: '2027-28',
      monthly_fee_cents: 0,
    },
    'POST /admin/players': {
      name: 'Valid Player',
      parent_id: club.parent.id,
      team_id: club.team.id,
      contract_status: 'signed',
      monthly_fee_cents: 6_000,
    },
    'PATCH /admin/players/{id}': {
      name: 'Valid Player Renamed',
      parent_id: club.parent.id,
      team_id: club.team.id,
      contract_status: 'pending',
      monthly_fee_cents: 10_000_000,
    },
    'POST /admin/products': {
      name: 'Valid Product',
      category: 'jersey',
      price_cents: 4_500,
      currency: 'usd',
      active: true,
    },
    'PATCH /admin/products/{id}': {
      name: 'Valid Product Renamed',
      category: 'tryout',
      price_cents: 0,
      currency: 'CAD',
      active: false,
    },
    'POST /admin/orders': {
      player_id: club.player.id,
      product_id: club.product.id,
      amount_cents: 1,
      notes: 'valid',
    },
    'PATCH /admin/orders/{id}': { amount_cents: 10_000_000, notes: 'valid' },
  };
}

/** Bad values that a field's documented schema cannot tell on its own. */
const EXTRA_BAD_VALUES: Record<string, [string, unknown][]> = {
  currency: [
    ['a two-letter currency', 'us'],
    ['a currency name', 'dollars'],
    ['a currency with a symbol', 'u$d'],
    ['an empty currency', ''],
  ],
  season: [
    ['an overlong season (41 characters)', 'x'.repeat(41)],
    ['an empty season', ''],
  ],
  phone: [['a phone with letters', 'call me maybe']],
  email: [['an email over 254 characters', `${'a'.repeat(250)}@example.com`]],
};

/** The bad values for one documented field, named for the failure report. */
function badValues(name: string, schema: Schema): [string, unknown][] {
  const values: [string, unknown][] = [];
  const type = schema.enum ? 'string' : schema.type;
  if (type === 'integer' || type === 'number') {
    values.push(
      ['a numeric string', '12'],
      ['an empty string', ''],
      ['an array', [12]],
      ['an object', { value: 12 }],
      ['a boolean', true],
    );
    if (type === 'integer')
      values.push(
        ['a non-integer', 12.5],
        ['2^31, beyond a PostgreSQL integer', 2 ** 31],
        ['a huge number', 1e20],
      );
    if (schema.minimum !== undefined)
      values.push(['one below the minimum', schema.minimum - 1], ['a negative number', -100]);
    else if (name.endsWith('_id')) values.push(['a zero id', 0], ['a negative id', -1]);
    if (schema.maximum !== undefined) values.push(['one above the maximum', schema.maximum + 1]);
  } else if (type === 'string') {
    values.push(
      ['a number', 12345],
      ['an array', ['text']],
      ['an object', { text: 'x' }],
      ['a boolean', false],
      ['a string with a NUL character', 'a\u0000b'],
    );
    if (schema.maxLength !== undefined)
      values.push([
        `an overlong string (${schema.maxLength + 1} characters)`,
        'x'.repeat(schema.maxLength + 1),
      ]);
    if (schema.minLength) values.push(['a blank string', '   ']);
    if (schema.enum) values.push(['a value outside the enum', 'not_a_real_value']);
    if (schema.format === 'email')
      values.push(
        ['not an email', 'not-an-email'],
        ['an email without a domain', 'ann@'],
        ['an email with two @', 'ann@@example.com'],
      );
  } else if (type === 'boolean') {
    values.push(
      ['the string "true"', 'true'],
      ['a number', 1],
      ['an array', [true]],
      ['null-like text', 'null'],
    );
  } else if (type === 'array') {
    values.push(['a string', 'text'], ['a number', 1], ['an object', {}]);
  } else {
    // A nested object ($ref) or an undocumented type: anything but an object is wrong.
    values.push(['a string', 'text'], ['a number', 1], ['an array', []]);
  }
  return values.concat(EXTRA_BAD_VALUES[name] ?? []);
}

const label = (route: Pick<Route, 'method' | 'path'>) =>
  `${route.method.toUpperCase()} ${route.path}`;
const takesId = (route: Route) => route.path.includes('{id}');
const isWrite = (route: Route) => ['post', 'put', 'patch'].includes(route.method);

async function adminRoutes(t: TestApp): Promise<Route[]> {
  const doc = (await t.http().get('/docs-json').expect(200)).body as OpenApiDocument;
  const resolve = (schema: Schema | undefined): Schema | undefined =>
    schema?.$ref ? doc.components?.schemas?.[schema.$ref.split('/').pop()!] : schema;
  return Object.entries(doc.paths)
    .filter(([path]) => path.startsWith('/admin'))
    .flatMap(([path, operations]) =>
      METHODS.flatMap((method) => {
        const operation = operations[method];
        if (!operation) return [];
        const body = resolve(operation.requestBody?.content['application/json']?.schema);
        return [{ method, path, operation, body }];
      }),
    );
}

/** The one JSON body a route gets in a table: the route's valid body, or `{}` for one not listed. */
function baseBody(route: Route, bodies: Record<string, Record<string, unknown>>) {
  const known = bodies[label(route)];
  return { body: known ?? {}, known: known !== undefined };
}

/** Counted before and after a refused request. */
const COUNTED_TABLES = [
  'tenants',
  'admin_api_keys',
  'parents',
  'teams',
  'players',
  'products',
  'orders',
  'audit_log',
];

/** Everything in the database: the row counts, and every row of the club under test. */
async function databaseState(db: DataSource, tenantId: number) {
  const rows: Record<string, unknown[]> = {
    tenants: (await db.query('SELECT * FROM tenants WHERE id = $1', [tenantId])) as unknown[],
  };
  for (const table of ['parents', 'teams', 'players', 'products', 'orders'])
    rows[table] = (await db.query(`SELECT * FROM ${table} WHERE tenant_id = $1 ORDER BY id`, [
      tenantId,
    ])) as unknown[];
  return { counts: await rowCounts(db, COUNTED_TABLES), rows };
}

/** What is wrong with an answer that should have been a 400 naming `field`, if anything. */
function validationProblem(res: Response, field?: string, only = false): string | undefined {
  const body = res.body as { statusCode?: number; error?: string; details?: unknown };
  if (res.status !== 400 || body.statusCode !== 400 || body.error !== 'validation_failed')
    return `answered ${res.status} ${res.text.slice(0, 300)}`;
  if (field === undefined) return undefined;
  const fields = Array.isArray(body.details)
    ? (body.details as { field?: string }[]).map((detail) => detail.field)
    : [];
  if (!fields.includes(field))
    return `answered 400 without naming ${field}: ${res.text.slice(0, 300)}`;
  if (only && fields.some((other) => other !== field))
    return `named more than ${field} (the base body is not valid?): ${res.text.slice(0, 300)}`;
  return undefined;
}

/** A plain 400 in the error shape of the API, whatever its code (malformed JSON). */
function badRequestProblem(res: Response): string | undefined {
  const body = res.body as Record<string, unknown>;
  if (
    res.status !== 400 ||
    body.statusCode !== 400 ||
    typeof body.error !== 'string' ||
    typeof body.message !== 'string'
  )
    return `answered ${res.status} ${res.text.slice(0, 300)}`;
  return undefined;
}

describe('input validation: bad input is a 400 naming the field, never a 500, and writes nothing (A3)', () => {
  let t: TestApp;
  let club: FullClub;
  let routes: Route[];
  let bodies: Record<string, Record<string, unknown>>;
  let before: Awaited<ReturnType<typeof databaseState>>;

  const ids = (): Record<Resource, number> => ({
    parents: club.parent.id,
    teams: club.team.id,
    players: club.player.id,
    products: club.product.id,
    orders: club.order.id,
    tournaments: club.tournament.id,
  });
  /** A route's path with the club's own id of the right kind, so only the input can be wrong. */
  const urlOf = (route: Route, id?: string) =>
    route.path.replace(/\{(\w+)\}/g, () => {
      if (id !== undefined) return id;
      const segments = route.path.split('/');
      return String(ids()[segments[segments.indexOf('{id}') - 1] as Resource] ?? club.parent.id);
    });
  const call = (route: Route, url = urlOf(route)) =>
    t.http()[route.method](url).set('Authorization', `Bearer ${club.apiKey}`);

  const writeRoutes = () => routes.filter(isWrite);
  const jsonRoutes = () => routes.filter((route) => isWrite(route) && route.body);

  beforeAll(async () => {
    t = await createTestApp();
    club = await factories(t.db).fullClub();
    routes = await adminRoutes(t);
    bodies = validBodies(club);
  });
  afterAll(() => t.close());

  beforeEach(async () => {
    before = await databaseState(t.db, club.tenant.id);
  });

  async function expectNothingWritten(): Promise<void> {
    expect(await databaseState(t.db, club.tenant.id)).toEqual(before);
  }

  it('finds every POST and PATCH admin route in the OpenAPI document, with a JSON schema for each that takes JSON', () => {
    expect(writeRoutes().map(label)).toEqual(expect.arrayContaining(KNOWN_WRITE_ROUTES));
    const json = jsonRoutes().map(label);
    expect(json).toEqual(expect.arrayContaining(Object.keys(bodies)));
    for (const route of jsonRoutes())
      expect(Object.keys(route.body?.properties ?? {}).length).toBeGreaterThan(0);
  });

  it('malformed JSON is a 400 on every POST and PATCH route, including those without a JSON body, and nothing is written', async () => {
    const malformed = [
      '{"name": "Ann"',
      "{name: 'Ann'}",
      '{"name": "Ann",}',
      '{"name": "Ann"} trailing',
      '{"amount_cents": 01}',
      '{"amount_cents": NaN}',
      '123',
      '"just a string"',
      'null',
      'true',
      'name=Ann',
    ];
    expect(writeRoutes().length).toBeGreaterThanOrEqual(KNOWN_WRITE_ROUTES.length);
    const failures: string[] = [];
    for (const route of writeRoutes())
      for (const text of malformed) {
        const res = await call(route).set('Content-Type', 'application/json').send(text);
        const problem = badRequestProblem(res);
        if (problem) failures.push(`${label(route)} with ${text}: ${problem}`);
      }
    expect(failures).toEqual([]);
    await expectNothingWritten();
  });

  it('a JSON body that is an array instead of an object is a 400 on every route that takes JSON', async () => {
    const failures: string[] = [];
    for (const route of jsonRoutes())
      for (const body of [[], [baseBody(route, bodies).body], [[]]]) {
        const problem = validationProblem(await call(route).send(body));
        if (problem) failures.push(`${label(route)} with ${JSON.stringify(body)}: ${problem}`);
      }
    expect(failures).toEqual([]);
    await expectNothingWritten();
  });

  it('unknown fields, tenant_id and id among them, are a 400 naming the field on every route that takes JSON', async () => {
    const failures: string[] = [];
    for (const route of jsonRoutes()) {
      const { body } = baseBody(route, bodies);
      const camel = Object.keys(route.body?.properties ?? {})
        .filter((name) => name.includes('_'))
        .map((name) => name.replace(/_(\w)/g, (_, c: string) => c.toUpperCase()));
      for (const unknown of ['unknown_field', 'tenant_id', 'id', 'created_at', ...camel]) {
        const res = await call(route).send({ ...body, [unknown]: 1 });
        const problem = validationProblem(res, unknown);
        if (problem) failures.push(`${label(route)} with ${unknown}: ${problem}`);
      }
    }
    expect(failures).toEqual([]);
    await expectNothingWritten();
  });

  it('wrong types, negative, huge and non-integer amounts, overlong strings, bad emails, enum values and currencies are 400s naming the field, on every route that takes JSON', async () => {
    const failures: string[] = [];
    let cases = 0;
    for (const route of jsonRoutes()) {
      const { body, known } = baseBody(route, bodies);
      for (const [field, schema] of Object.entries(route.body?.properties ?? {}))
        for (const [what, value] of badValues(field, schema)) {
          cases++;
          const res = await call(route).send({ ...body, [field]: value });
          const problem = validationProblem(res, field, known);
          if (problem) failures.push(`${label(route)} ${field} = ${what}: ${problem}`);
        }
    }
    expect(failures).toEqual([]);
    // The table really ran: 10 routes with 3 to 5 fields and about 10 bad values each.
    expect(cases).toBeGreaterThan(300);
    await expectNothingWritten();
  });

  it('control characters and line breaks in names, emails and labels that reach mail headers or pages are 400s naming the field, and nothing is stored (A9)', async () => {
    const hostileText: [string, string][] = [
      ['CRLF and a Bcc header', 'Club\r\nBcc: everyone@evil.example'],
      ['a line feed', 'Ann\nLee'],
      ['a leading tab', '\t=1+2'],
      ['a trailing carriage return', 'Ann Lee\r'],
      ['a bell', 'Ann\u0007Lee'],
      ['a C1 next-line', 'Ann\u0085Lee'],
      ['a Unicode line separator', 'Ann\u2028Lee'],
    ];
    const hostileEmails: [string, string][] = [
      ['CRLF in a quoted local part', '"a\r\nb"@example.org'],
      ['a tab in a quoted local part', '"a\tb"@example.org'],
      ['a trailing line feed', 'ann@example.org\n'],
    ];
    const emailFields = new Set(['email', 'reply_to', 'test_email', 'redirect_to']);
    const tournament = { name: 'Winter Classic', starts_on: '2026-12-05', location: 'Main Gym' };
    const table: [string, Record<string, unknown>, string[]][] = [
      ['PATCH /admin/club', bodies['PATCH /admin/club'], ['name', 'from_name', 'reply_to']],
      ['POST /admin/parents', bodies['POST /admin/parents'], ['name', 'email']],
      ['PATCH /admin/parents/{id}', bodies['PATCH /admin/parents/{id}'], ['name', 'email']],
      ['POST /admin/players', bodies['POST /admin/players'], ['name']],
      ['PATCH /admin/players/{id}', bodies['PATCH /admin/players/{id}'], ['name']],
      ['POST /admin/products', bodies['POST /admin/products'], ['name']],
      ['PATCH /admin/products/{id}', bodies['PATCH /admin/products/{id}'], ['name']],
      ['POST /admin/teams', bodies['POST /admin/teams'], ['name', 'season']],
      ['PATCH /admin/teams/{id}', bodies['PATCH /admin/teams/{id}'], ['name', 'season']],
      ['POST /admin/tournaments', tournament, ['name', 'location']],
      ['PATCH /admin/tournaments/{id}', tournament, ['name', 'location']],
      [
        'POST /admin/email/blasts',
        { query: 'outstanding_balances' },
        ['test_email', 'redirect_to'],
      ],
    ];
    const blastCount = async () =>
      (
        await t.db.query('SELECT count(*)::int AS count FROM email_blasts WHERE tenant_id = $1', [
          club.tenant.id,
        ])
      )[0].count as number;
    const blastsBefore = await blastCount();
    const failures: string[] = [];
    let cases = 0;
    for (const [name, body, fields] of table) {
      const route = routes.find((r) => label(r) === name);
      if (!route) {
        failures.push(`${name}: no such route in the OpenAPI document`);
        continue;
      }
      for (const field of fields) {
        const values = emailFields.has(field) ? [...hostileEmails, ...hostileText] : hostileText;
        for (const [what, value] of values) {
          cases++;
          const res = await call(route).send({ ...body, [field]: value });
          // Only the spoiled field is named: the rest of the body is valid.
          const problem = validationProblem(res, field, true);
          if (problem) failures.push(`${name} ${field} = ${what}: ${problem}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(150);
    await expectNothingWritten();
    expect(await blastCount()).toBe(blastsBefore);
  });

  it('amounts over $100,000 and over 2^31 cents are refused on every amount field by name', async () => {
    const admin = t.as(club.apiKey);
    for (const amount of [10_000_001, 2 ** 31, 2 ** 53, -1]) {
      for (const [url, field, body] of [
        ['/admin/teams', 'monthly_fee_cents', { name: 'Rich Team', season: '2026-27' }],
        ['/admin/products', 'price_cents', { name: 'Gold Jersey', category: 'jersey' }],
        [
          '/admin/orders',
          'amount_cents',
          { player_id: club.player.id, product_id: club.product.id },
        ],
      ] as const) {
        const res = await admin.post(url).send({ ...body, [field]: amount });
        expect({ url, amount, problem: validationProblem(res, field, true) }).toEqual({
          url,
          amount,
          problem: undefined,
        });
      }
    }
    await expectNothingWritten();
  });

  it('deeply nested JSON is a 400 naming the field on every route that takes JSON, not a 500', async () => {
    const depth = 5_000;
    const nestedArray = `${'['.repeat(depth)}${']'.repeat(depth)}`;
    const nestedObject = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
    const failures: string[] = [];
    for (const route of jsonRoutes()) {
      const field = Object.keys(route.body?.properties ?? {})[0];
      for (const [key, nested] of [
        [field, nestedArray],
        [field, nestedObject],
        ['unknown_field', nestedObject],
      ]) {
        const res = await call(route)
          .set('Content-Type', 'application/json')
          .send(`{"${key}": ${nested}}`);
        const problem = validationProblem(res, key);
        if (problem) failures.push(`${label(route)} ${key} nested ${depth} deep: ${problem}`);
      }
    }
    expect(failures).toEqual([]);
    await expectNothingWritten();
  });

  it('bad page and filter parameters are 400s naming the parameter on every list route', async () => {
    const byName: Record<string, string[]> = {
      limit: ['0', '101', '1000', 'abc', '1.5', '-5', '', '1e9', 'a%00b', '0x10'],
      starting_after: ['-1', 'abc', '1.5', '99999999999', 'a%00b'],
      email: ['not-an-email', 'ann@', 'a%00@example.com'],
    };
    const listRoutes = routes.filter((route) => route.method === 'get' && !takesId(route));
    expect(listRoutes.length).toBeGreaterThanOrEqual(5);
    const failures: string[] = [];
    let cases = 0;
    for (const route of listRoutes) {
      const params = (route.operation.parameters ?? []).filter((p) => p.in === 'query');
      if (params.length > 0)
        params.push({ name: 'unknown_param', in: 'query', schema: { type: 'string' } });
      for (const param of params) {
        const schema = param.schema ?? {};
        const values =
          param.name === 'unknown_param'
            ? ['1']
            : (byName[param.name] ??
              (schema.enum
                ? ['not_a_real_value', '']
                : schema.type === 'boolean'
                  ? ['maybe', '1', 'TRUE']
                  : schema.type === 'number' || schema.type === 'integer'
                    ? ['abc', '0', '-1', '1.5', '99999999999', '0x1', '1e0']
                    : []));
        for (const value of values) {
          cases++;
          const url = `${route.path}?${param.name}=${value}`;
          const problem = validationProblem(await call(route, url), param.name);
          if (problem) failures.push(`${url}: ${problem}`);
        }
      }
      // The same parameter twice is a list, not a number.
      if (params.some((p) => p.name === 'limit')) {
        const problem = validationProblem(
          await call(route, `${route.path}?limit=1&limit=2`),
          'limit',
        );
        if (problem) failures.push(`${route.path}?limit=1&limit=2: ${problem}`);
      }
    }
    expect(failures).toEqual([]);
    expect(cases).toBeGreaterThan(50);
    await expectNothingWritten();
  });

  it('non-numeric, non-canonical and out-of-range ids in the path are 400s naming id on every route that takes one', async () => {
    const badIds = [
      'abc',
      '0',
      '-1',
      '1.5',
      '0x1',
      '1e0',
      '+1',
      '%201',
      '1%00',
      '2147483648',
      '99999999999',
      '9'.repeat(30),
    ];
    const idRoutes = routes.filter(takesId);
    expect(idRoutes.length).toBeGreaterThanOrEqual(14);
    const failures: string[] = [];
    for (const route of idRoutes)
      for (const id of badIds) {
        const url = urlOf(route, id);
        let req = call(route, url);
        if (route.body) req = req.send(baseBody(route, bodies).body);
        const problem = validationProblem(await req, 'id');
        if (problem) failures.push(`${label(route)} ${url}: ${problem}`);
      }
    expect(failures).toEqual([]);
    await expectNothingWritten();
  });

  it('a JSON body over the 256 kB limit is a 413 on every POST and PATCH route, not a 500', async () => {
    const failures: string[] = [];
    for (const route of writeRoutes()) {
      const res = await call(route).send({ name: 'x'.repeat(300_000) });
      const body = res.body as { statusCode?: number; error?: string };
      if (res.status !== 413 || body.statusCode !== 413 || body.error !== 'payload_too_large')
        failures.push(`${label(route)} answered ${res.status} ${res.text.slice(0, 200)}`);
    }
    expect(failures).toEqual([]);
    await expectNothingWritten();
  });

  it('a body that does not decompress as its Content-Encoding says is a 400 on every POST and PATCH route, not a 500', async () => {
    const failures: string[] = [];
    for (const route of writeRoutes())
      for (const encoding of ['gzip', 'deflate']) {
        const res = await call(route)
          .set('Content-Type', 'application/json')
          .set('Content-Encoding', encoding)
          .send('{"name": "not compressed at all"}');
        const problem = validationProblem(res);
        if (problem) failures.push(`${label(route)} ${encoding}: ${problem}`);
      }
    expect(failures).toEqual([]);
    // A real gzip body is read like any other.
    const gzipped = gzipSync(JSON.stringify({ name: 'x'.repeat(300) }));
    const req = t
      .as(club.apiKey)
      .post('/admin/parents')
      .set('Content-Type', 'application/json')
      .set('Content-Encoding', 'gzip');
    req.write(gzipped);
    const res = await req;
    expect(validationProblem(res, 'name', true)).toBeUndefined();
    await expectNothingWritten();
  });

  it('a roster import whose body is not CSV answers 400 and writes nothing', async () => {
    const admin = t.as(club.apiKey);
    const csv = 'parent_name,player_name\nAnn Lee,Max Lee\n';
    const notCsv: [string, string, string | object][] = [
      ['a JSON object', 'application/json', { parent_name: 'Ann Lee', player_name: 'Max Lee' }],
      [
        'a JSON array',
        'application/json',
        [
          ['parent_name', 'player_name'],
          ['Ann Lee', 'Max Lee'],
        ],
      ],
      ['CSV sent as text/plain', 'text/plain', csv],
      ['CSV sent as a form', 'application/x-www-form-urlencoded', 'parent_name=Ann+Lee'],
      ['an empty CSV', 'text/csv', ''],
      ['a blank CSV', 'text/csv', ' \n \n'],
      ['a CSV with a NUL character', 'text/csv', 'parent_name,player_name\nAnn\u0000,Max\n'],
    ];
    for (const [what, type, body] of notCsv) {
      const res = await admin.post('/admin/roster/import').set('Content-Type', type).send(body);
      expect({ what, problem: validationProblem(res) }).toEqual({ what, problem: undefined });
    }
    const huge = `parent_name,player_name\n${'Ann Lee,Max Lee\n'.repeat(140_000)}`;
    const tooLarge = await admin
      .post('/admin/roster/import')
      .set('Content-Type', 'text/csv')
      .send(huge);
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body).toMatchObject({ statusCode: 413, error: 'payload_too_large' });
    await expectNothingWritten();
  });

  it('a PATCH that sets nothing is a 400 on every PATCH route, and writes nothing', async () => {
    const patches = routes.filter((route) => route.method === 'patch');
    expect(patches.length).toBeGreaterThanOrEqual(6);
    for (const route of patches) {
      for (const send of [
        (test: ReturnType<typeof call>) => test.send({}),
        (test: ReturnType<typeof call>) => test.set('Content-Type', 'text/plain').send('name=x'),
      ]) {
        const res = await send(call(route));
        expect({ route: route.path, status: res.status, error: res.body.error }).toEqual({
          route: route.path,
          status: 400,
          error: 'validation_failed',
        });
      }
    }
    await expectNothingWritten();
  });

  it('null for a field that cannot be empty is a 400 naming the field on every PATCH route', async () => {
    const required: Record<string, string[]> = {
      '/admin/parents/{id}': ['name'],
      '/admin/teams/{id}': ['name', 'season', 'monthly_fee_cents'],
      '/admin/players/{id}': ['name', 'parent_id'],
      '/admin/products/{id}': ['name', 'category', 'price_cents'],
      '/admin/club': ['name', 'from_name'],
    };
    for (const [path, fields] of Object.entries(required)) {
      const route = routes.find((r) => r.method === 'patch' && r.path === path)!;
      expect(route).toBeDefined();
      for (const field of fields) {
        const res = await call(route).send({ [field]: null });
        expect({ path, field, problem: validationProblem(res, field) }).toEqual({
          path,
          field,
          problem: undefined,
        });
      }
    }
    await expectNothingWritten();
  });

  it('the valid bodies the tables start from are accepted as they are', async () => {
    const fresh = await factories(t.db).fullClub();
    const freshBodies = validBodies(fresh);
    const freshIds: Record<Resource, number> = {
      parents: fresh.parent.id,
      teams: fresh.team.id,
      players: fresh.player.id,
      products: fresh.product.id,
      orders: fresh.order.id,
      tournaments: fresh.tournament.id,
    };
    // Creations first: the product PATCH archives the product an order needs.
    const ordered = [...jsonRoutes()].sort(
      (x, y) => Number(x.method !== 'post') - Number(y.method !== 'post'),
    );
    for (const route of ordered) {
      const body = freshBodies[label(route)];
      if (!body) continue;
      const url = route.path.replace(
        '{id}',
        String(freshIds[route.path.split('/')[2] as Resource]),
      );
      const res = await t
        .http()
        [route.method](url)
        .set('Authorization', `Bearer ${fresh.apiKey}`)
        .send(body);
      expect({ route: label(route), status: res.status }).toEqual({
        route: label(route),
        status: route.method === 'post' ? 201 : 200,
      });
    }
  });
});
