import type { StripeEmulator } from '../src/stripe-emulator';
import { sdkClient } from '../src/stripe-emulator/testing/sdk-client';
import type { TestApp } from './support/app';
import { FAIL_AFTER_THREE_TRIES, runCli, runCliJson, startCli } from './support/cli';
import { eventually } from './support/eventually';
import { factories, TestClub } from './support/factories';
import { withStripeApp } from './support/stripe';

describe('backfill:payment-links', () => {
  let stripe: StripeEmulator;
  let t: TestApp;
  const target = () => ({ app: t, stripe });

  withStripeApp((made) => ({ stripe, t } = made));
  afterEach(() => {
    stripe.clearFaults();
    stripe.setLatency(0);
  });

  /** A club owing: jersey orders at two amounts, a tournament fee, and two signed players' first month. */
  async function owingClub(): Promise<{
    club: TestClub;
    orderIds: number[];
    signedPlayerIds: number[];
  }> {
    const f = factories(t.db);
    const club = await f.club();
    const tenantId = club.tenant.id;
    await f.product(tenantId, { name: 'Monthly dues', category: 'monthly', priceCents: 12_500 });
    const team = await f.team(tenantId, { monthlyFeeCents: 12_500 });
    const signed = [
      await f.player(tenantId, { teamId: team.id }),
      await f.player(tenantId, { teamId: team.id, monthlyFeeCents: 9_000 }),
    ];
    await f.player(tenantId, { teamId: team.id, contractStatus: 'pending' });
    const jersey = await f.product(tenantId, { name: 'Home jersey', category: 'jersey' });
    const fee = await f.product(tenantId, { name: 'Winter Classic', category: 'tournament' });
    const orders = [
      await f.order(tenantId, { productId: jersey.id, amountCents: 4_500 }),
      await f.order(tenantId, { productId: jersey.id, amountCents: 4_500 }),
      await f.order(tenantId, { productId: jersey.id, amountCents: 4_000 }),
      await f.order(tenantId, { productId: fee.id, amountCents: 6_000, status: 'failed' }),
    ];
    await f.order(tenantId, { productId: fee.id, amountCents: 6_000, status: 'paid' });
    await f.order(tenantId, { productId: fee.id, amountCents: 6_000, status: 'cancelled' });
    return {
      club,
      orderIds: orders.map((order) => order.id),
      signedPlayerIds: signed.map((player) => player.id),
    };
  }

  async function counts(tenantId: number): Promise<Record<string, number>> {
    const [row] = await t.db.query(
      `SELECT (SELECT count(*) FROM orders WHERE tenant_id = $1)::int AS orders,
              (SELECT count(*) FROM payment_links WHERE tenant_id = $1)::int AS links,
              (SELECT count(*) FROM product_prices WHERE tenant_id = $1)::int AS prices,
              (SELECT count(*) FROM products WHERE tenant_id = $1 AND stripe_product_id IS NOT NULL)::int AS stripe_products,
              (SELECT count(*) FROM audit_log WHERE tenant_id = $1)::int AS audit,
              (SELECT count(*) FROM pgboss.job)::int AS jobs`,
      [tenantId],
    );
    return row;
  }

  const writesSince = (from: number) =>
    stripe.requests.slice(from).filter((request) => request.method === 'POST');

  /** Every owed order of the club, with its active link (null when it has none). */
  async function owedOrders(tenantId: number) {
    return (await t.db.query(
      `SELECT o.id, o.player_id, o.product_id, o.amount_cents, o.stripe_payment_link_id,
              (SELECT count(*) FROM payment_links l
               WHERE l.tenant_id = o.tenant_id AND l.order_id = o.id AND l.status = 'active')::int AS active_links
       FROM orders o WHERE o.tenant_id = $1 AND o.status IN ('pending', 'failed') ORDER BY o.id`,
      [tenantId],
    )) as {
      id: number;
      player_id: number;
      product_id: number;
      amount_cents: number;
      stripe_payment_link_id: string | null;
      active_links: number;
    }[];
  }

  it('a dry run writes nothing: row counts and the emulator call log are unchanged', async () => {
    const { club } = await owingClub();
    const before = await counts(club.tenant.id);
    const calls = stripe.requests.length;

    const run = await runCliJson(target(), 'backfill:payment-links', '--tenant', club.tenant.slug);

    expect(run.code).toBe(0);
    expect(run.report).toMatchObject({ commit: false, summary: { would_do: 6, failed: 0 } });
    expect(run.report.items.map((item) => item.result)).toEqual(
      expect.arrayContaining([
        'mint the first-month link at $125.00',
        'mint the first-month link at $90.00',
        'mint a link for $45.00',
        'mint a link for $40.00',
        'mint a link for $60.00',
      ]),
    );
    expect(await counts(club.tenant.id)).toEqual(before);
    expect(stripe.requests.length).toBe(calls);
  });

  it("mints a link for every owed order and every signed player's first month, reusing Stripe products and price tiers", async () => {
    const { club, orderIds, signedPlayerIds } = await owingClub();
    // One jersey link minted already: its product and $45 tier exist at Stripe.
    await t.as(club.apiKey).post(`/admin/orders/${orderIds[0]}/payment-link`).expect(201);
    const calls = stripe.requests.length;

    const run = await runCliJson(
      target(),
      'backfill:payment-links',
      '--tenant',
      club.tenant.slug,
      '--commit',
    );

    expect(run.code).toBe(0);
    expect(run.report.summary).toMatchObject({ done: 5, failed: 0 });
    expect(run.report.elapsed_ms).toBeGreaterThan(0);
    const owed = await owedOrders(club.tenant.id);
    expect(owed).toHaveLength(6); // four orders + two first months made now
    expect(owed.every((order) => order.active_links === 1)).toBe(true);
    const firstMonths = owed.filter((order) => !orderIds.includes(order.id));
    expect(firstMonths.map((o) => o.player_id).sort()).toEqual([...signedPlayerIds].sort());
    const feeOf = (playerId: number) =>
      firstMonths.find((o) => o.player_id === playerId)?.amount_cents;
    expect(signedPlayerIds.map(feeOf)).toEqual([12_500, 9_000]);

    // New: products for the tournament fee and monthly dues; tiers $40 jersey, $60, $125, $90.
    const writes = writesSince(calls);
    expect(writes.filter((w) => w.path === '/v1/products')).toHaveLength(2);
    expect(writes.filter((w) => w.path === '/v1/prices')).toHaveLength(4);
    expect(writes.filter((w) => w.path === '/v1/payment_links')).toHaveLength(5);

    // Each link names its order, so its payment lands on it (money rule 1).
    const sdk = sdkClient(stripe);
    for (const order of owed) {
      const link = await sdk.paymentLinks.retrieve(order.stripe_payment_link_id!);
      expect(link.metadata).toMatchObject({
        tenant_id: String(club.tenant.id),
        order_id: String(order.id),
      });
    }
  });

  it('--commit twice is once: the second run finds everything unchanged and writes nothing', async () => {
    const { club } = await owingClub();
    const first = await runCliJson(
      target(),
      'backfill:payment-links',
      '--tenant',
      club.tenant.slug,
      '--commit',
    );
    expect(first.report.summary).toMatchObject({ done: 6, failed: 0 });
    const after = await counts(club.tenant.id);
    const calls = stripe.requests.length;

    const second = await runCliJson(
      target(),
      'backfill:payment-links',
      '--tenant',
      club.tenant.slug,
      '--commit',
    );

    expect(second.code).toBe(0);
    expect(second.report.summary).toEqual({
      done: 0,
      would_do: 0,
      unchanged: 2,
      skipped: 0,
      failed: 0,
    });
    expect(await counts(club.tenant.id)).toEqual(after);
    expect(writesSince(calls)).toEqual([]);
  });

  it("copies a pending order's Stripe link into payment_links when it names the order, and replaces one that does not", async () => {
    const f = factories(t.db);
    const club = await f.club();
    const tenantId = club.tenant.id;
    const product = await f.product(tenantId, { name: 'Spring tryout' });
    const named = await f.order(tenantId, { productId: product.id, amountCents: 3_000 });
    const unnamed = await f.order(tenantId, { productId: product.id, amountCents: 3_000 });
    // Links the previous system made: one with our metadata, one without.
    const sdk = sdkClient(stripe);
    const price = await sdk.prices.create({
      currency: 'usd',
      unit_amount: 3_000,
      product_data: { name: 'Spring tryout' },
    });
    const legacy = async (metadata: Record<string, string>) =>
      sdk.paymentLinks.create({ line_items: [{ price: price.id, quantity: 1 }], metadata });
    const good = await legacy({ tenant_id: String(tenantId), order_id: String(named.id) });
    const bad = await legacy({ note: 'made by a script' });
    await t.db.query(
      `UPDATE orders SET stripe_payment_link_id = $2, stripe_checkout_url = $3 WHERE id = $1`,
      [named.id, good.id, good.url],
    );
    await t.db.query(
      `UPDATE orders SET stripe_payment_link_id = $2, stripe_checkout_url = $3 WHERE id = $1`,
      [unnamed.id, bad.id, bad.url],
    );

    const dry = await runCliJson(target(), 'backfill:payment-links', '--tenant', club.tenant.slug);
    expect(dry.report.items.map((item) => [item.columns.order, item.result])).toEqual([
      [named.id, 'copy its Stripe link into payment_links'],
      [unnamed.id, 'replace its Stripe link (the link does not name this order in its metadata)'],
    ]);

    const run = await runCliJson(
      target(),
      'backfill:payment-links',
      '--tenant',
      club.tenant.slug,
      '--commit',
    );

    expect(run.report.summary).toMatchObject({ done: 2, failed: 0 });
    const links = await t.db.query(
      `SELECT order_id, stripe_payment_link_id, stripe_price_id FROM payment_links
       WHERE tenant_id = $1 AND status = 'active' ORDER BY order_id`,
      [tenantId],
    );
    expect(links[0]).toEqual({
      order_id: named.id,
      stripe_payment_link_id: good.id,
      stripe_price_id: price.id,
    });
    expect(links[1].order_id).toBe(unnamed.id);
    expect(links[1].stripe_payment_link_id).not.toBe(bad.id);
    expect((await sdk.paymentLinks.retrieve(bad.id)).active).toBe(false);
    const replacement = await sdk.paymentLinks.retrieve(links[1].stripe_payment_link_id);
    expect(replacement.metadata).toMatchObject({ order_id: String(unnamed.id) });
  });

  it('a backfill killed in the middle and run again finishes with no duplicate links, prices or orders (S4)', async () => {
    const f = factories(t.db);
    const club = await f.club();
    const tenantId = club.tenant.id;
    await f.product(tenantId, { name: 'Monthly dues', category: 'monthly', priceCents: 12_500 });
    const team = await f.team(tenantId, { monthlyFeeCents: 12_500 });
    for (let i = 0; i < 6; i++) await f.player(tenantId, { teamId: team.id });
    const jersey = await f.product(tenantId, { name: 'Home jersey', category: 'jersey' });
    for (let i = 0; i < 18; i++)
      await f.order(tenantId, { productId: jersey.id, amountCents: [4_500, 4_000, 3_500][i % 3] });
    const ordersBefore = (await counts(tenantId)).orders;
    const calls = stripe.requests.length;
    stripe.setLatency(150);

    const first = startCli(target(), [
      'backfill:payment-links',
      '--tenant',
      club.tenant.slug,
      '--commit',
      '--concurrency',
      '3',
    ]);
    await eventually(async () => expect((await counts(tenantId)).links).toBeGreaterThanOrEqual(5));
    first.child.kill('SIGKILL');
    await first.done;
    const partial = await counts(tenantId);
    expect(partial.links).toBeLessThan(24); // it really was stopped half-way

    const again = await runCli(
      target(),
      'backfill:payment-links',
      '--tenant',
      club.tenant.slug,
      '--commit',
    );
    expect(again.code).toBe(0);

    const owed = await owedOrders(tenantId);
    expect(owed).toHaveLength(24);
    expect(owed.every((order) => order.active_links === 1)).toBe(true);
    expect((await counts(tenantId)).orders).toBe(ordersBefore + 6); // one first month per player
    const [dupes] = await t.db.query(
      `SELECT count(*)::int AS links, count(DISTINCT order_id)::int AS orders FROM payment_links WHERE tenant_id = $1`,
      [tenantId],
    );
    expect(dupes.links).toBe(dupes.orders);
    // At Stripe: one link per order and one price per tier, however many attempts were made.
    const created = (path: string) =>
      new Set(
        stripe.requests
          .slice(calls)
          .filter((r) => r.method === 'POST' && r.path === path && r.status === 200)
          .map((r) => r.idempotencyKey),
      ).size;
    expect(created('/v1/payment_links')).toBe(24);
    expect(created('/v1/prices')).toBe(4);
    const [{ n: stripeLinks }] = await t.db.query(
      `SELECT count(DISTINCT stripe_payment_link_id)::int AS n FROM payment_links WHERE tenant_id = $1`,
      [tenantId],
    );
    expect(stripeLinks).toBe(24);
  });

  it('5% injected Stripe 500s and a 429 burst still end with every item done', async () => {
    const { club } = await owingClub();
    stripe.injectFault({ method: 'POST', path: /^\/v1\//, kind: '500', every: 20 });
    stripe.injectFault({ method: 'POST', path: /^\/v1\//, kind: '429', times: 6 });

    const run = await runCliJson(
      target(),
      'backfill:payment-links',
      '--tenant',
      club.tenant.slug,
      '--commit',
    );

    expect(run.report.summary).toMatchObject({ done: 6, failed: 0 });
    expect(run.code).toBe(0);
    const owed = await owedOrders(club.tenant.id);
    expect(owed.every((order) => order.active_links === 1)).toBe(true);
  });

  it('an item that keeps failing is listed, the exit code is non-zero, and a re-run finishes it', async () => {
    const f = factories(t.db);
    const club = await f.club();
    const product = await f.product(club.tenant.id, { name: 'Warm-up shirt' });
    const orders = [
      await f.order(club.tenant.id, { productId: product.id }),
      await f.order(club.tenant.id, { productId: product.id }),
    ];
    // Three tries (STRIPE_MAX_RETRIES=2): all three fail for the first link.
    stripe.injectFault({ method: 'POST', path: '/v1/payment_links', kind: '500', times: 3 });

    const failing = await runCli(
      { ...target(), env: FAIL_AFTER_THREE_TRIES },
      'backfill:payment-links',
      '--tenant',
      club.tenant.slug,
      '--commit',
      '--concurrency',
      '1',
    );

    expect(failing.code).toBe(1);
    expect(failing.out).toMatch(/1 done, 0 unchanged, 0 skipped, 1 failed/);
    expect(failing.err).toMatch(new RegExp(`1 item\\(s\\) failed:\\n.*order ${orders[0].id}`));
    const again = await runCliJson(
      target(),
      'backfill:payment-links',
      '--tenant',
      club.tenant.slug,
      '--commit',
    );
    expect(again.code).toBe(0);
    expect(again.report.summary).toMatchObject({ done: 1, failed: 0 });
    expect((await owedOrders(club.tenant.id)).map((order) => order.active_links)).toEqual([1, 1]);
  });

  it('leaves the orders autopay has in hand: a month run still running, a card charge under way or succeeded', async () => {
    const f = factories(t.db);
    const club = await f.club();
    const tenantId = club.tenant.id;
    const [running] = (await t.db.query(
      `INSERT INTO billing_runs (tenant_id, period, run_on, status) VALUES ($1, '2027-03-01', '2027-03-01', 'running') RETURNING id`,
      [tenantId],
    )) as { id: number }[];
    const ofRunningMonth = await f.order(tenantId, { billingRunId: running.id });
    const charging = await f.order(tenantId);
    const charged = await f.order(tenantId);
    const declined = await f.order(tenantId);
    for (const [order, status] of [
      [charging, 'processing'],
      [charged, 'succeeded'],
      [declined, 'failed'],
    ] as const)
      await t.db.query(
        `INSERT INTO charge_attempts (tenant_id, order_id, parent_id, attempt, idempotency_key, status)
         VALUES ($1, $2, $3, 1, $4, $5)`,
        [tenantId, order.id, order.parentId, `test:${order.id}`, status],
      );

    const run = await runCliJson(
      target(),
      'backfill:payment-links',
      '--tenant',
      club.tenant.slug,
      '--commit',
    );

    expect(run.code).toBe(0);
    // A refused card is owed by link: that one only.
    expect(run.report.items.map((item) => item.columns.order)).toEqual([declined.id]);
    for (const order of [ofRunningMonth, charging, charged])
      expect((await owedOrders(tenantId)).find((owed) => owed.id === order.id)?.active_links).toBe(
        0,
      );
  });

  it("--tenant works on that club only; another club's orders keep no link", async () => {
    const { club } = await owingClub();
    const other = await owingClub();

    await runCli(target(), 'backfill:payment-links', '--tenant', club.tenant.slug, '--commit');

    expect((await owedOrders(club.tenant.id)).every((o) => o.active_links === 1)).toBe(true);
    expect((await owedOrders(other.club.tenant.id)).every((o) => o.active_links === 0)).toBe(true);
    const unknown = await runCli(target(), 'backfill:payment-links', '--tenant', 'no-such-club');
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/Club no-such-club not found/);
  });

  it('prints a table and a dry-run notice for people', async () => {
    const { club } = await owingClub();
    const run = await runCli(target(), 'backfill:payment-links', '--tenant', club.tenant.slug);
    expect(run.code).toBe(0);
    expect(run.out).toMatch(
      /│ club\s+│ kind\s+│ order\s+│ player\s+│ item\s+│ amount\s+│ status\s+│ result/,
    );
    expect(run.out).toMatch(/mint a link for \$40\.00/);
    expect(run.out).toMatch(
      /6 item\(s\): 6 to do, 0 unchanged, 0 skipped, 0 failed\. Took \d+\.\d s\./,
    );
    expect(run.out).toMatch(/Dry run: nothing was written/);
  });
});
