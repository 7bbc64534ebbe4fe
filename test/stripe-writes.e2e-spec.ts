import type { Order } from '../src/orders/entities/order.entity';
import type { StripeEmulator } from '../src/stripe-emulator';
import { sdkClient } from '../src/stripe-emulator/testing/sdk-client';
import type { TestApp } from './support/app';
import { factories, TestClub } from './support/factories';
import { busiestSecond, type StripeApp, withStripeApp } from './support/stripe';
import { countOf } from './support/webhook-events';

interface MintedLink {
  id: number;
  order_id: number;
  stripe_payment_link_id: string;
}

describe('Stripe writes', () => {
  let stripe: StripeEmulator;
  let t: TestApp;
  let club: TestClub;

  withStripeApp((made) => ({ stripe, t, club } = made));
  afterEach(() => {
    stripe.clearFaults();
    stripe.setRateLimit(0);
  });

  const orderFor = (overrides: Partial<Order> = {}) =>
    factories(t.db).order(club.tenant.id, overrides);
  const mint = (orderId: number) => t.as(club.apiKey).post(`/admin/orders/${orderId}/payment-link`);
  const linkKey = (orderId: number, version = 1) => `link:${club.tenant.id}:${orderId}:v${version}`;
  const linkCalls = (orderId: number) =>
    stripe.requests.filter(
      (r) => r.path === '/v1/payment_links' && r.idempotencyKey === linkKey(orderId),
    );
  /** The payment links Stripe holds for an order, whoever made them. */
  const linksAtStripe = async (orderId: number) =>
    (await sdkClient(stripe).paymentLinks.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 }))
      .filter(
        (link) =>
          link.metadata?.tenant_id === String(club.tenant.id) &&
          link.metadata?.order_id === String(orderId),
      )
      .map((link) => link.id);
  const linkRows = async (orderId: number) =>
    (
      (await t.db.query('SELECT stripe_payment_link_id FROM payment_links WHERE order_id = $1', [
        orderId,
      ])) as { stripe_payment_link_id: string }[]
    ).map((row) => row.stripe_payment_link_id);

  describe('S1: Stripe fails after doing the work', () => {
    it.each([
      ['answers 500', '500' as const, 500],
      ['resets the connection', 'reset' as const, 0],
    ])(
      'Stripe creates the link and then %s: the retry reuses the idempotency key, one link exists at Stripe and one is recorded',
      async (_what, kind, failedStatus) => {
        const order = await orderFor();
        stripe.injectFault({ method: 'POST', path: '/v1/payment_links', kind, when: 'after' });

        const link = (await mint(order.id).expect(201)).body as MintedLink;

        expect(linkCalls(order.id).map((r) => r.status)).toEqual([failedStatus, 200]);
        expect(await linksAtStripe(order.id)).toEqual([link.stripe_payment_link_id]);
        expect(await linkRows(order.id)).toEqual([link.stripe_payment_link_id]);
        const recorded = (await t.as(club.apiKey).get(`/admin/orders/${order.id}`).expect(200))
          .body;
        expect(recorded.stripe_payment_link_id).toBe(link.stripe_payment_link_id);
      },
    );

    it('with a fifth of link creations failing (500s, resets after Stripe made the link, a run of four 500s in a row), every order gets exactly one link at Stripe and one row (S1)', async () => {
      const product = await factories(t.db).product(club.tenant.id);
      const orders = [];
      for (let i = 0; i < 20; i++) orders.push(await orderFor({ productId: product.id }));
      const before = stripe.requests.length;
      // Listed first so it fires on calls 2–5: the second order's first four tries.
      stripe.injectFault({
        method: 'POST',
        path: '/v1/payment_links',
        kind: '500',
        nth: 2,
        times: 4,
      });
      stripe.injectFault({ method: 'POST', path: '/v1/payment_links', kind: '500', every: 5 });
      stripe.injectFault({
        method: 'POST',
        path: '/v1/payment_links',
        kind: 'reset',
        when: 'after',
        every: 7,
      });

      const statuses: number[] = [];
      const minted: MintedLink[] = [];
      for (const order of orders) {
        const res = await mint(order.id);
        statuses.push(res.status);
        minted.push(res.body as MintedLink);
      }

      expect(statuses).toEqual(Array(20).fill(201));
      const calls = stripe.requests.slice(before);
      expect(calls.filter((r) => r.status === 500).length).toBeGreaterThanOrEqual(6);
      expect(calls.filter((r) => r.status === 0).length).toBeGreaterThanOrEqual(2);
      expect(linkCalls(orders[1].id).map((r) => r.status)).toEqual([500, 500, 500, 500, 200]);
      for (const [i, order] of orders.entries()) {
        expect(await linksAtStripe(order.id)).toEqual([minted[i].stripe_payment_link_id]);
        expect(await linkRows(order.id)).toEqual([minted[i].stripe_payment_link_id]);
        expect(linkCalls(order.id).filter((r) => r.status === 200)).toHaveLength(1);
      }
    });

    it('concurrent mints of one order, many times over, never make a second link at Stripe', async () => {
      const product = await factories(t.db).product(club.tenant.id);
      for (let round = 0; round < 15; round++) {
        const order = await orderFor({ productId: product.id });
        const results = await Promise.all([mint(order.id), mint(order.id), mint(order.id)]);
        expect(results.map((res) => res.status).sort()).toEqual([200, 200, 201]);
        const ids = new Set(results.map((res) => (res.body as MintedLink).stripe_payment_link_id));
        expect(ids.size).toBe(1);
        expect(await linkRows(order.id)).toEqual([...ids]);
        expect(await linksAtStripe(order.id)).toEqual([...ids]);
      }
    });

    describe('with STRIPE_MAX_RETRIES=2', () => {
      // The suite's helpers read these: they point at this block's app while it runs.
      let outer: StripeApp;
      beforeAll(() => void (outer = { stripe, t, club }));
      withStripeApp((made) => ({ stripe, t, club } = made), {
        env: { STRIPE_MAX_RETRIES: '2' },
      });
      afterAll(() => void ({ stripe, t, club } = outer));

      it('when every try fails after Stripe made the link, minting answers 503 and records nothing; minting again records that same link', async () => {
        const order = await orderFor();
        // All three tries (1 + 2 retries) fail after Stripe has created the link.
        stripe.injectFault({
          method: 'POST',
          path: '/v1/payment_links',
          kind: '500',
          when: 'after',
          times: 3,
        });

        const failed = await mint(order.id).expect(503);

        expect(failed.body).toMatchObject({ error: 'payment_provider_unavailable' });
        expect(await linkRows(order.id)).toEqual([]);
        const atStripe = await linksAtStripe(order.id);
        expect(atStripe).toHaveLength(1);

        const link = (await mint(order.id).expect(201)).body as MintedLink;

        expect(link.stripe_payment_link_id).toBe(atStripe[0]);
        expect(await linksAtStripe(order.id)).toEqual(atStripe);
        expect(await linkRows(order.id)).toEqual(atStripe);
        expect(linkCalls(order.id).map((r) => r.status)).toEqual([500, 500, 500, 200]);
        expect(
          stripe.requests.filter((r) => r.idempotencyKey === linkKey(order.id, 2)),
        ).toHaveLength(0);
      });
    });
  });

  describe('S2: rate limits', () => {
    it('429s from Stripe are backed off and retried until every link is minted, one per order', async () => {
      const product = await factories(t.db).product(club.tenant.id);
      await mint((await orderFor({ productId: product.id })).id).expect(201);
      const orders = await Promise.all(
        Array.from({ length: 8 }, () => orderFor({ productId: product.id })),
      );
      const before = stripe.requests.length;
      stripe.setRateLimit(3);

      const results = await Promise.all(orders.map((order) => mint(order.id)));

      stripe.setRateLimit(0);
      expect(results.map((res) => res.status)).toEqual(Array(8).fill(201));
      const calls = stripe.requests.slice(before);
      expect(calls.filter((r) => r.status === 429).length).toBeGreaterThan(0);
      for (const order of orders) {
        const tries = linkCalls(order.id);
        expect(tries.at(-1)?.status).toBe(200);
        expect(tries.filter((r) => r.status === 200)).toHaveLength(1);
        // Backed off: never retried at once after a 429.
        for (let i = 1; i < tries.length; i++)
          expect(tries[i].at - tries[i - 1].at).toBeGreaterThanOrEqual(100);
        expect(await linkRows(order.id)).toHaveLength(1);
        expect(await linksAtStripe(order.id)).toHaveLength(1);
      }
    });

    describe('with STRIPE_RATE_LIMIT_PER_SECOND=4', () => {
      let paced: TestApp;
      let pacedStripe: StripeEmulator;
      let pacedClub: TestClub;

      withStripeApp((made) => ({ stripe: pacedStripe, t: paced, club: pacedClub } = made), {
        env: { STRIPE_RATE_LIMIT_PER_SECOND: '4' },
      });

      it('minting many links at once, Stripe never sees more than 4 calls in any rolling second', async () => {
        // Each new product needs three calls: product, price, link.
        const orders = [];
        for (let i = 0; i < 6; i++)
          orders.push(await factories(paced.db).order(pacedClub.tenant.id));

        const results = await Promise.all(
          orders.map((order) =>
            paced.as(pacedClub.apiKey).post(`/admin/orders/${order.id}/payment-link`),
          ),
        );

        expect(results.map((res) => res.status)).toEqual(Array(6).fill(201));
        const calls = pacedStripe.requests;
        expect(calls).toHaveLength(18);
        expect(calls.every((r) => r.status === 200)).toBe(true);
        expect(busiestSecond(calls)).toBeLessThanOrEqual(4);
      });
    });
  });

  describe('S3: a parameter Stripe rejects', () => {
    it('surfaces as a 502 naming the parameter, is sent once, and leaves nothing half-written', async () => {
      // $1,000,000: above Stripe's eight-digit unit_amount. The API caps new amounts lower, so
      // such an order can only come from data written before that rule (here: straight to the DB).
      const order = await orderFor({ amountCents: 100_000_000 });

      const res = await mint(order.id).expect(502);

      expect(res.body).toMatchObject({
        statusCode: 502,
        error: 'payment_provider_rejected',
        message: expect.stringContaining('(parameter unit_amount)'),
        details: { param: 'unit_amount', stripe_code: 'parameter_invalid_integer' },
      });
      const priceCalls = stripe.requests.filter(
        (r) => r.path === '/v1/prices' && r.params.unit_amount === '100000000',
      );
      expect(priceCalls.map((r) => r.status)).toEqual([400]);
      expect(linkCalls(order.id)).toEqual([]);
      expect(await linkRows(order.id)).toEqual([]);
      expect(
        await countOf(t, 'product_prices WHERE product_id = $1 AND amount_cents = $2', [
          order.productId,
          100_000_000,
        ]),
      ).toBe(0);
      expect(
        await countOf(t, `audit_log WHERE subject = $1 AND action = 'payment_link.minted'`, [
          `order:${order.id}`,
        ]),
      ).toBe(0);
      const after = (await t.as(club.apiKey).get(`/admin/orders/${order.id}`).expect(200)).body;
      expect(after).toMatchObject({ status: 'pending', stripe_payment_link_id: null });

      // Nothing stands in the way once the amount is corrected.
      await t
        .as(club.apiKey)
        .patch(`/admin/orders/${order.id}`)
        .send({ amount_cents: 9000 })
        .expect(200);
      const link = (await mint(order.id).expect(201)).body as MintedLink;
      expect(await linkRows(order.id)).toEqual([link.stripe_payment_link_id]);
    });
  });
});
