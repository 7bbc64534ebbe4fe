import type Stripe from 'stripe';
import request from 'supertest';
import type { Product } from '../src/club/entities/product.entity';
import type { StripeEmulator } from '../src/stripe-emulator';
import { sdkClient } from '../src/stripe-emulator/testing/sdk-client';
import type { TestApp } from './support/app';
import { eventually } from './support/eventually';
import { factories, TestClub } from './support/factories';
import { withStripeApp } from './support/stripe';

interface LinkBody {
  id: number;
  order_id: number;
  stripe_payment_link_id: string;
  url: string;
}
interface CheckoutRun {
  data: { player_id: number; order_id: number; link: LinkBody | null; created: boolean }[];
}

/** Rounds per test, each on a fresh player: one burst rarely overlaps a check and its insert. */
const ROUNDS = 4;

describe('a double submit makes one order and one link (A7)', () => {
  let stripe: StripeEmulator;
  let t: TestApp;
  let club: TestClub;
  let sdk: Stripe;
  let fee: Product;
  let dues: Product;

  // Ten clicks per round from one address would otherwise meet the public rate limit (A6).
  withStripeApp((made) => ({ stripe, t, club } = made), {
    env: { PUBLIC_RATE_LIMIT_PER_MINUTE: '100000' },
  });
  beforeAll(async () => {
    sdk = sdkClient(stripe);
    fee = await factories(t.db).product(club.tenant.id, {
      name: 'Spring jersey',
      priceCents: 4_000,
    });
    dues = await factories(t.db).product(club.tenant.id, {
      name: 'Monthly dues',
      category: 'monthly',
      priceCents: 12_500,
    });
  });

  const admin = () => t.as(club.apiKey);
  const burst = <T>(n: number, send: () => Promise<T>): Promise<T[]> =>
    Promise.all(Array.from({ length: n }, send));
  const statuses = (responses: { status: number }[]) =>
    responses.map((res) => res.status).sort((a, b) => b - a);
  const oneCreatedRestOk = (n: number) => [201, ...Array<number>(n - 1).fill(200)];

  /**
   * What the database and Stripe hold for the player's item: exactly one order, one active
   * link on it, and one payment link at Stripe naming the player (returned for paying).
   */
  async function expectOneOrderAndLink(playerId: number, productId: number) {
    const orders = (await t.db.query(
      'SELECT id, status FROM orders WHERE tenant_id = $1 AND player_id = $2 AND product_id = $3',
      [club.tenant.id, playerId, productId],
    )) as { id: number; status: string }[];
    expect(orders).toEqual([{ id: expect.any(Number), status: 'pending' }]);
    const links = (await t.db.query(
      `SELECT id, order_id, status, stripe_payment_link_id, url FROM payment_links
        WHERE tenant_id = $1 AND player_id = $2 AND product_id = $3`,
      [club.tenant.id, playerId, productId],
    )) as (LinkBody & { status: string })[];
    expect(links).toEqual([expect.objectContaining({ order_id: orders[0].id, status: 'active' })]);
    const atStripe = (
      await sdk.paymentLinks.list({ limit: 100 }).autoPagingToArray({ limit: 10_000 })
    ).filter(
      (link) =>
        link.metadata.tenant_id === String(club.tenant.id) &&
        link.metadata.player_id === String(playerId),
    );
    expect(atStripe.map((link) => link.id)).toEqual([links[0].stripe_payment_link_id]);
    return { orderId: orders[0].id, link: links[0] };
  }

  /** The family pays the link on Stripe's page; afterwards nothing of that item is owed. */
  async function payAndExpectNothingOwed(
    stripePaymentLinkId: string,
    playerId: number,
    productId: number,
  ) {
    await stripe.pay(stripePaymentLinkId);
    await stripe.waitForDeliveries();
    await eventually(async () => {
      const [owed] = (await t.db.query(
        `SELECT count(*) FILTER (WHERE status IN ('pending', 'failed'))::int AS owed,
                count(*) FILTER (WHERE status = 'paid')::int AS paid
           FROM orders WHERE tenant_id = $1 AND player_id = $2 AND product_id = $3`,
        [club.tenant.id, playerId, productId],
      )) as { owed: number; paid: number }[];
      expect(owed).toEqual({ owed: 0, paid: 1 });
    });
  }

  function expectSameLink(bodies: LinkBody[]): LinkBody {
    const [first] = bodies;
    for (const body of bodies)
      expect({ id: body.id, url: body.url }).toEqual({ id: first.id, url: first.url });
    return first;
  }

  describe.each([2, 10])('%i concurrent submits', (n) => {
    it(`POST /admin/payment-links for one item: one order, one link; one 201, the rest 200 with that link (A7)`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const player = await factories(t.db).player(club.tenant.id);
        const answers = await burst(n, () =>
          admin()
            .post('/admin/payment-links')
            .send({ player_id: player.id, product_id: fee.id })
            .then((res) => res),
        );
        expect(statuses(answers)).toEqual(oneCreatedRestOk(n));
        const link = expectSameLink(answers.map((res) => res.body as LinkBody));
        const held = await expectOneOrderAndLink(player.id, fee.id);
        expect(held.link.id).toBe(link.id);
        await payAndExpectNothingOwed(link.stripe_payment_link_id, player.id, fee.id);
      }
    });

    it(`POST /admin/orders/:id/payment-link: one link; one 201, the rest 200 with that link (A7)`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const order = await factories(t.db).order(club.tenant.id, {
          productId: fee.id,
          amountCents: 4_000,
        });
        const answers = await burst(n, () =>
          admin()
            .post(`/admin/orders/${order.id}/payment-link`)
            .then((res) => res),
        );
        expect(statuses(answers)).toEqual(oneCreatedRestOk(n));
        const link = expectSameLink(answers.map((res) => res.body as LinkBody));
        const held = await expectOneOrderAndLink(order.playerId, fee.id);
        expect(held).toMatchObject({ orderId: order.id, link: { id: link.id } });
        await payAndExpectNothingOwed(link.stripe_payment_link_id, order.playerId, fee.id);
      }
    });

    it(`POST /admin/tournaments/:id/checkout-links: one order and link per player; one 201, the rest 200 with the same links (A7)`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const f = factories(t.db);
        const team = await f.team(club.tenant.id);
        const tournamentFee = await f.product(club.tenant.id, {
          category: 'tournament',
          priceCents: 7_500,
        });
        const players = [
          await f.player(club.tenant.id, { teamId: team.id }),
          await f.player(club.tenant.id, { teamId: team.id }),
        ];
        const tournament = await f.tournament(club.tenant.id, {
          teamId: team.id,
          productId: tournamentFee.id,
          playerId: players[0].id,
        });
        await admin()
          .post(`/admin/tournaments/${tournament.id}/commitments`)
          .send({ player_id: players[1].id, status: 'committed' })
          .expect(200);

        const answers = await burst(n, () =>
          admin()
            .post(`/admin/tournaments/${tournament.id}/checkout-links`)
            .then((res) => res),
        );
        expect(statuses(answers)).toEqual(oneCreatedRestOk(n));
        const runs = answers.map((res) => res.body as CheckoutRun);
        // Only the answer that made the orders and links says so.
        expect(runs.filter((run) => run.data.some((item) => item.created))).toHaveLength(1);
        for (const player of players) {
          const items = runs.map((run) => run.data.find((item) => item.player_id === player.id)!);
          const link = expectSameLink(items.map((item) => item.link!));
          const held = await expectOneOrderAndLink(player.id, tournamentFee.id);
          expect(held.link.id).toBe(link.id);
          expect(items.filter((item) => item.created)).toHaveLength(1);
          await payAndExpectNothingOwed(link.stripe_payment_link_id, player.id, tournamentFee.id);
        }
      }
    });

    it(`the first-payment click: one order and one link, every answer a 303 to that link (A7)`, async () => {
      for (let round = 0; round < ROUNDS; round++) {
        const team = await factories(t.db).team(club.tenant.id, { monthlyFeeCents: 9_500 });
        const player = await factories(t.db).player(club.tenant.id, { teamId: team.id });
        const url = (
          await admin().post(`/admin/players/${player.id}/first-payment-link`).expect(200)
        ).body.url as string;
        const answers = await burst(n, () =>
          request(url)
            .get('')
            .then((res) => res),
        );
        expect(answers.map((res) => res.status)).toEqual(Array<number>(n).fill(303));
        const locations = new Set(answers.map((res) => res.headers.location));
        const held = await expectOneOrderAndLink(player.id, dues.id);
        expect([...locations]).toEqual([held.link.url]);
        await payAndExpectNothingOwed(held.link.stripe_payment_link_id, player.id, dues.id);
        const after = await request(url).get('').expect(200);
        expect(after.text).toContain('Already paid');
      }
    });
  });

  it('two orders of one item (two months of dues) minted at once: each gets its own active link, both 201; never a 500 (A7, M5)', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const player = await factories(t.db).player(club.tenant.id);
      const orders = [
        await factories(t.db).order(club.tenant.id, { playerId: player.id, productId: fee.id }),
        await factories(t.db).order(club.tenant.id, { playerId: player.id, productId: fee.id }),
      ];
      stripe.injectFault({
        method: 'POST',
        path: '/v1/payment_links',
        kind: 'latency',
        latencyMs: 300,
        times: 2,
      });
      const answers = await Promise.all(
        [...orders, ...orders].map((order) =>
          admin()
            .post(`/admin/orders/${order.id}/payment-link`)
            .then((res) => res),
        ),
      );
      expect(statuses(answers).sort()).toEqual([200, 200, 201, 201]);
      const rows = (await t.db.query(
        `SELECT order_id, status, stripe_payment_link_id FROM payment_links WHERE player_id = $1 ORDER BY order_id`,
        [player.id],
      )) as { order_id: number; status: string; stripe_payment_link_id: string }[];
      expect(rows.map((row) => [row.order_id, row.status])).toEqual([
        [orders[0].id, 'active'],
        [orders[1].id, 'active'],
      ]);
      for (const row of rows)
        expect((await sdk.paymentLinks.retrieve(row.stripe_payment_link_id)).active).toBe(true);
    }
  });

  it("an amount changed while the order's link is being made: a 409, and the link selling the old amount is closed, never left to take it", async () => {
    const player = await factories(t.db).player(club.tenant.id);
    const order = await factories(t.db).order(club.tenant.id, {
      playerId: player.id,
      productId: fee.id,
      amountCents: 4_000,
    });
    stripe.injectFault({
      method: 'POST',
      path: '/v1/payment_links',
      kind: 'latency',
      latencyMs: 1_500,
      times: 1,
    });
    const minting = admin()
      .post(`/admin/orders/${order.id}/payment-link`)
      .then((res) => res);
    // The mint has read the order and waits on Stripe (1.5 s) when the amount changes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    await admin().patch(`/admin/orders/${order.id}`).send({ amount_cents: 3_500 }).expect(200);
    const answer = await minting;
    expect(answer.status).toBe(409);
    const rows = (await t.db.query(
      `SELECT status, stripe_payment_link_id FROM payment_links WHERE order_id = $1`,
      [order.id],
    )) as { status: string; stripe_payment_link_id: string }[];
    expect(rows).toEqual([expect.objectContaining({ status: 'deactivated' })]);
    await eventually(async () =>
      expect((await sdk.paymentLinks.retrieve(rows[0].stripe_payment_link_id)).active).toBe(false),
    );

    // Asked again, the order gets a link for what it now costs.
    const next = (await admin().post(`/admin/orders/${order.id}/payment-link`).expect(201))
      .body as LinkBody;
    const items = await sdk.paymentLinks.listLineItems(next.stripe_payment_link_id);
    expect(items.data[0].amount_total).toBe(3_500);
  });

  it('checkout-links and pay-link submits for the same fee at once make one order and one link (A7)', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const f = factories(t.db);
      const team = await f.team(club.tenant.id);
      const tournamentFee = await f.product(club.tenant.id, { category: 'tournament' });
      const player = await f.player(club.tenant.id, { teamId: team.id });
      const tournament = await f.tournament(club.tenant.id, {
        teamId: team.id,
        productId: tournamentFee.id,
        playerId: player.id,
      });
      const answers = await Promise.all([
        admin()
          .post(`/admin/tournaments/${tournament.id}/checkout-links`)
          .then((res) => res),
        ...Array.from({ length: 4 }, () =>
          admin()
            .post('/admin/payment-links')
            .send({ player_id: player.id, product_id: tournamentFee.id })
            .then((res) => res),
        ),
      ]);
      expect(answers.map((res) => res.status).every((status) => [200, 201].includes(status))).toBe(
        true,
      );
      const held = await expectOneOrderAndLink(player.id, tournamentFee.id);
      const [run, ...minted] = answers.map((res) => res.body as CheckoutRun & LinkBody);
      expect(run.data.map((item) => item.link?.id)).toEqual([held.link.id]);
      expect(new Set(minted.map((link) => link.id))).toEqual(new Set([held.link.id]));
    }
  });
});
