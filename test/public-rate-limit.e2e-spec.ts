import { PublicRateLimitStorage } from '../src/rate-limit/public-rate-limit.storage';
import { createTestApp, TestApp } from './support/app';

/** A public page that needs no data: what is measured here is the limit alone. */
const PAGE = '/checkout/thanks';
const LIMIT = 4;

/** Two instances of the service on one database, as behind a load balancer. */
async function twoInstances(env: Record<string, string> = {}): Promise<[TestApp, TestApp]> {
  const settings = { PUBLIC_RATE_LIMIT_PER_MINUTE: String(LIMIT), ...env };
  const first = await createTestApp({ env: settings });
  const second = await createTestApp({ env: settings, databaseUrl: first.databaseUrl });
  return [first, second];
}

/** The status of a request to `instance`, from the client `forwardedFor` names (when given). */
async function statusOf(instance: TestApp, forwardedFor?: string): Promise<number> {
  const request = instance.http().get(PAGE);
  if (forwardedFor) void request.set('X-Forwarded-For', forwardedFor);
  return (await request).status;
}

describe('the public rate limit without TRUST_PROXY', () => {
  let one: TestApp;
  let two: TestApp;
  beforeAll(async () => {
    [one, two] = await twoInstances();
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
  });
  beforeEach(() => one.db.query('DELETE FROM public_rate_limits'));

  it('holds across instances: requests spread over two instances share one allowance, and the next on either is refused', async () => {
    const statuses = [];
    for (const instance of [one, two, one, two]) statuses.push(await statusOf(instance));
    expect(statuses).toEqual([200, 200, 200, 200]);

    for (const instance of [one, two]) {
      const refused = await instance.http().get(PAGE);
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(55);
      expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    }
  });

  it('counts a client that varies X-Forwarded-For as one: without trusted proxies the header is ignored', async () => {
    const statuses = [];
    for (let i = 0; i < LIMIT + 2; i++)
      statuses.push(await statusOf(i % 2 ? one : two, `203.0.113.${i + 1}`));
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('lets ten requests at once over both instances through exactly up to the limit: no count is lost', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => statusOf(i % 2 ? one : two)),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10 - LIMIT);
    expect(await one.db.query('SELECT hits FROM public_rate_limits')).toEqual([
      { hits: LIMIT + 1 },
    ]);
  });

  it('gives a client a fresh allowance once its block and window are over, by the database clock', async () => {
    for (let i = 0; i <= LIMIT; i++) await statusOf(one);
    expect(await statusOf(two)).toBe(429);

    await one.db.query(
      `UPDATE public_rate_limits SET window_ends = now() - interval '1 second', blocked_until = now() - interval '1 second'`,
    );
    const statuses = [];
    for (let i = 0; i <= LIMIT; i++) statuses.push(await statusOf(i % 2 ? one : two));
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });

  it('lets public requests through when the counters cannot be read: the route itself answers a database outage', async () => {
    await one.db.query('ALTER TABLE public_rate_limits RENAME TO public_rate_limits_moved');
    try {
      const statuses = [];
      for (let i = 0; i <= LIMIT; i++) statuses.push(await statusOf(one));
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
    } finally {
      await one.db.query('ALTER TABLE public_rate_limits_moved RENAME TO public_rate_limits');
    }
  });

  it('sweeps the counters of clients whose window and block are over, and keeps the live ones', async () => {
    await one.db.query(
      `INSERT INTO public_rate_limits (key, hits, window_ends, blocked_until) VALUES
         ('default:192.0.2.1', 3, now() - interval '1 second', NULL),
         ('default:192.0.2.2', 5, now() - interval '1 second', now() - interval '1 second'),
         ('default:192.0.2.3', 5, now() - interval '1 second', now() + interval '1 minute'),
         ('default:192.0.2.4', 1, now() + interval '1 minute', NULL)`,
    );
    expect(await one.app.get(PublicRateLimitStorage).sweep()).toBe(2);
    const kept = (await one.db.query('SELECT key FROM public_rate_limits ORDER BY key')) as {
      key: string;
    }[];
    expect(kept.map((row) => row.key)).toEqual(['default:192.0.2.3', 'default:192.0.2.4']);
  });
});

describe('the public rate limit behind one proxy (TRUST_PROXY=1)', () => {
  let one: TestApp;
  let two: TestApp;
  beforeAll(async () => {
    [one, two] = await twoInstances({ TRUST_PROXY: '1' });
  });
  afterAll(async () => {
    await two?.close();
    await one?.close();
  });

  it('counts clients the proxy names in X-Forwarded-For apart, and one client on both instances together', async () => {
    const alice = '198.51.100.7';
    const bob = '198.51.100.8';
    const statuses = [];
    for (const instance of [one, two, one, two]) statuses.push(await statusOf(instance, alice));
    expect(statuses).toEqual([200, 200, 200, 200]);
    expect(await statusOf(one, alice)).toBe(429);
    expect(await statusOf(two, alice)).toBe(429);

    expect(await statusOf(one, bob)).toBe(200);
    expect(await statusOf(two, bob)).toBe(200);
  });

  it('counts by the address the proxy added: what a client writes in front of it does not help', async () => {
    const statuses = [];
    for (let i = 0; i < LIMIT + 2; i++)
      statuses.push(await statusOf(i % 2 ? one : two, `10.9.9.${i}, 198.51.100.20`));
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
  });

  it('lets ten requests at once from one client over both instances through exactly up to the limit', async () => {
    const statuses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => statusOf(i % 2 ? one : two, '198.51.100.30')),
    );
    expect(statuses.filter((status) => status === 200)).toHaveLength(LIMIT);
    expect(statuses.filter((status) => status === 429)).toHaveLength(10 - LIMIT);
  });
});
