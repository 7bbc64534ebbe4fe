import type Stripe from 'stripe';
import request from 'supertest';
import type { StripeEmulator } from '../src/stripe-emulator';
import { sdkClient } from '../src/stripe-emulator/testing/sdk-client';
import type { TestApp } from './support/app';
import { eventually } from './support/eventually';
import { FAIL_AFTER_THREE_TRIES, itemOf, runCli, runCliJson } from './support/cli';
import { factories, TestClub } from './support/factories';
import { ORDER_TABLES, orderRow, rowCounts } from './support/rows';
import { stripeWrites, withStripeApp } from './support/stripe';

interface CheckoutItem {
  player_id: number;
  order_id: number;
  link: { id: number; url: string; stripe_payment_link_id: string } | null;
}

describe('tournament:regenerate-orders: unpaid fee orders that cannot reconcile are re-billed', () => {
  let stripe: StripeEmulator;
  let sdk: Stripe;
  let t: TestApp;

  withStripeApp((made) => {
    ({ stripe, t } = made);
    sdk = sdkClient(stripe);
  });

  const regenerate = (club: TestClub, tournamentId: number, ...flags: string[]) =>
    runCliJson(
      { app: t, stripe, env: FAIL_AFTER_THREE_TRIES },
      'tournament:regenerate-orders',
      '--tournament',
      String(tournamentId),
      '--tenant',
      club.tenant.slug,
      ...flags,
    );
  const rows = () => rowCounts(t.db, ORDER_TABLES);
  const recordedOrder = async (tournamentId: number, playerId: number) =>
    (
      await t.db.query(
        `SELECT order_id FROM tournament_orders WHERE tournament_id = $1 AND player_id = $2`,
        [tournamentId, playerId],
      )
    )[0].order_id as number;
  /**
   * A tournament after checkout-links: the U12 team plays for a $75 fee (players `healthy`,
   * `foreign`, `missing`, `paid`), the U14 team for $60 (player `repriced`). Then what goes
   * wrong in real life: a script points `foreign`'s order at a link without our metadata,
   * `missing`'s link is deactivated, `paid` pays, and the U14 fee is corrected to $65.
   */
  async function brokenTournament() {
    const f = factories(t.db);
    const club = await f.club();
    const api = t.as(club.apiKey);
    const tenantId = club.tenant.id;
    const u12 = await f.team(tenantId, { name: 'U12 Girls' });
    const u14 = await f.team(tenantId, { name: 'U14 Girls' });
    const u12Fee = await f.product(tenantId, {
      name: 'Winter Classic U12',
      category: 'tournament',
      priceCents: 7_500,
    });
    const u14Fee = await f.product(tenantId, {
      name: 'Winter Classic U14',
      category: 'tournament',
      priceCents: 6_000,
    });
    const player = (name: string, teamId: number) => f.player(tenantId, { teamId, name });
    const players = {
      healthy: await player('Maya Lee', u12.id),
      foreign: await player('Noa Lee', u12.id),
      missing: await player('Zoe Park', u12.id),
      paid: await player('Ada Kim', u12.id),
      repriced: await player('Ivy Chen', u14.id),
    };
    const tournament = (
      await api
        .post('/admin/tournaments')
        .send({ name: 'Winter Classic', starts_on: '2026-12-05' })
        .expect(201)
    ).body as { id: number };
    for (const [team, fee] of [
      [u12, u12Fee],
      [u14, u14Fee],
    ] as const)
      await api
        .post(`/admin/tournaments/${tournament.id}/teams`)
        .send({ team_id: team.id, product_id: fee.id })
        .expect(200);
    for (const p of Object.values(players))
      await api
        .post(`/admin/tournaments/${tournament.id}/commitments`)
        .send({ player_id: p.id, status: 'committed' })
        .expect(200);
    const run = (await api.post(`/admin/tournaments/${tournament.id}/checkout-links`).expect(201))
      .body as {
      data: CheckoutItem[];
    };
    const byName = Object.fromEntries(
      Object.entries(players).map(([name, p]) => [
        name,
        run.data.find((item) => item.player_id === p.id)!,
      ]),
    ) as Record<keyof typeof players, CheckoutItem>;

    // A legacy script's link: right amount, no Courtside metadata.
    const price = await sdk.prices.create({
      currency: 'usd',
      unit_amount: 7_500,
      product_data: { name: 'Winter Classic' },
    });
    const legacy = await sdk.paymentLinks.create({
      line_items: [{ price: price.id, quantity: 1 }],
    });
    await t.db.query(
      `UPDATE payment_links SET stripe_payment_link_id = $2, url = $3 WHERE order_id = $1 AND status = 'active'`,
      [byName.foreign.order_id, legacy.id, legacy.url],
    );
    await t.db.query(
      `UPDATE orders SET stripe_payment_link_id = $2, stripe_checkout_url = $3 WHERE id = $1`,
      [byName.foreign.order_id, legacy.id, legacy.url],
    );
    await api.post(`/admin/payment-links/${byName.missing.link!.id}/deactivate`).expect(200);
    await stripe.pay(byName.paid.link!.stripe_payment_link_id);
    await stripe.waitForDeliveries();
    await eventually(async () =>
      expect(await orderRow(t.db, byName.paid.order_id)).toMatchObject({ status: 'paid' }),
    );
    // The paid link is deactivated at Stripe by a job: done before any test counts Stripe writes.
    await eventually(async () => {
      const [link] = await t.db.query(`SELECT deactivated_at FROM payment_links WHERE id = $1`, [
        byName.paid.link!.id,
      ]);
      expect(link.deactivated_at).not.toBeNull();
    });
    await api.patch(`/admin/products/${u14Fee.id}`).send({ price_cents: 6_500 }).expect(200);
    return { club, tournament, players, orders: byName, legacy };
  }

  /**
   * A tournament whose three fee orders the previous system billed with 24-hour Checkout
   * Sessions instead of links: `expired`'s session expired, `open`'s is open and right, and
   * `cheap`'s is open but charges $50 for the $75 fee.
   */
  async function legacySessionTournament() {
    const f = factories(t.db);
    const club = await f.club();
    const api = t.as(club.apiKey);
    const team = await f.team(club.tenant.id);
    const fee = await f.product(club.tenant.id, {
      name: 'Spring Cup',
      category: 'tournament',
      priceCents: 7_500,
    });
    const players = {
      expired: await f.player(club.tenant.id, { teamId: team.id, name: 'Eli Ward' }),
      open: await f.player(club.tenant.id, { teamId: team.id, name: 'Oren Diaz' }),
      cheap: await f.player(club.tenant.id, { teamId: team.id, name: 'Cai Ross' }),
    };
    const tournament = (
      await api
        .post('/admin/tournaments')
        .send({ name: 'Spring Cup', starts_on: '2027-03-06' })
        .expect(201)
    ).body as { id: number };
    await api
      .post(`/admin/tournaments/${tournament.id}/teams`)
      .send({ team_id: team.id, product_id: fee.id })
      .expect(200);
    for (const p of Object.values(players))
      await api
        .post(`/admin/tournaments/${tournament.id}/commitments`)
        .send({ player_id: p.id, status: 'committed' })
        .expect(200);
    const run = (await api.post(`/admin/tournaments/${tournament.id}/checkout-links`).expect(201))
      .body as { data: CheckoutItem[] };
    const sessions: Record<string, Stripe.Checkout.Session> = {};
    const orders: Record<string, number> = {};
    for (const [name, p] of Object.entries(players)) {
      const item = run.data.find((entry) => entry.player_id === p.id)!;
      await api.post(`/admin/payment-links/${item.link!.id}/deactivate`).expect(200);
      const session = await sdk.checkout.sessions.create({
        mode: 'payment',
        line_items: [
          {
            price_data: {
              currency: 'usd',
              unit_amount: name === 'cheap' ? 5_000 : 7_500,
              product_data: { name: 'Spring Cup' },
            },
            quantity: 1,
          },
        ],
        metadata: {
          tenant_id: String(club.tenant.id),
          order_id: String(item.order_id),
          player_id: String(p.id),
          product_id: String(fee.id),
        },
      });
      if (name === 'expired') await stripe.expireSession(session.id);
      await t.db.query('UPDATE orders SET stripe_checkout_session_id = $2 WHERE id = $1', [
        item.order_id,
        session.id,
      ]);
      sessions[name] = session;
      orders[name] = item.order_id;
    }
    return { club, tournament, orders, sessions };
  }

  it('a dry run lists each order that cannot reconcile and why, and writes nothing', async () => {
    const { club, tournament, orders } = await brokenTournament();
    const before = { rows: await rows(), posts: stripeWrites(stripe) };

    const run = await regenerate(club, tournament.id);

    expect(run.code).toBe(0);
    expect(run.report).toMatchObject({
      command: 'tournament:regenerate-orders',
      commit: false,
      summary: { would_do: 3, unchanged: 2, skipped: 0, failed: 0 },
    });
    expect(itemOf(run.report, orders.healthy.order_id)).toMatchObject({
      status: 'unchanged',
      result: 'its link takes the payment',
    });
    expect(itemOf(run.report, orders.paid.order_id)).toMatchObject({
      status: 'unchanged',
      result: 'paid; never touched here',
    });
    expect(itemOf(run.report, orders.foreign.order_id)).toMatchObject({
      status: 'would_do',
      result:
        'would cancel it and bill a new order at $75.00: the link does not name this order in its metadata',
    });
    expect(itemOf(run.report, orders.missing.order_id)).toMatchObject({
      status: 'would_do',
      result: 'would cancel it and bill a new order at $75.00: it has no pay link',
    });
    expect(itemOf(run.report, orders.repriced.order_id)).toMatchObject({
      status: 'would_do',
      result:
        'would cancel it and bill a new order at $65.00: the order is $60.00; the fee is now $65.00',
    });
    const table = await runCli(
      { app: t, stripe, env: FAIL_AFTER_THREE_TRIES },
      'tournament:regenerate-orders',
      '--tournament',
      String(tournament.id),
      '--tenant',
      club.tenant.slug,
    );
    expect(table.out).toContain('it has no pay link');
    expect(table.out).toContain(
      'tournament:regenerate-orders: 5 item(s): 3 to do, 2 unchanged, 0 skipped, 0 failed.',
    );
    expect(table.out).toContain('Dry run: nothing was written.');
    expect(await rows()).toEqual(before.rows);
    expect(stripeWrites(stripe)).toBe(before.posts);
  });

  it('--commit cancels and re-bills each with a new order and working link; healthy and paid orders are untouched; a second --commit changes nothing', async () => {
    const { club, tournament, players, orders, legacy } = await brokenTournament();
    const untouched = {
      healthy: await orderRow(t.db, orders.healthy.order_id),
      paid: await orderRow(t.db, orders.paid.order_id),
    };

    const first = await regenerate(club, tournament.id, '--commit');
    expect(first.code).toBe(0);
    expect(first.report.summary).toMatchObject({ done: 3, unchanged: 2, failed: 0 });
    const replaced = [
      { name: 'foreign', amount: 7_500, shown: '$75.00' },
      { name: 'missing', amount: 7_500, shown: '$75.00' },
      { name: 'repriced', amount: 6_500, shown: '$65.00' },
    ] as const;
    for (const { name, amount, shown } of replaced) {
      const old = orders[name];
      const item = itemOf(first.report, old.order_id);
      expect(item).toMatchObject({
        status: 'done',
        result: expect.stringMatching(/^cancelled and replaced: /),
        columns: { new_order: expect.any(Number), pay_url: expect.any(String) },
      });
      const newOrderId = item.columns.new_order as number;
      expect(newOrderId).not.toBe(old.order_id);
      expect(await orderRow(t.db, old.order_id)).toMatchObject({ status: 'cancelled' });
      expect(await orderRow(t.db, newOrderId)).toMatchObject({
        status: 'pending',
        amount_cents: amount,
        stripe_checkout_url: item.columns.pay_url,
      });
      expect(await recordedOrder(tournament.id, players[name].id)).toBe(newOrderId);
      const page = await request(item.columns.pay_url as string)
        .get('')
        .expect(200);
      expect(page.text).toContain(shown);
    }
    // The legacy link stopped taking money before its order was cancelled.
    expect((await sdk.paymentLinks.retrieve(legacy.id)).active).toBe(false);
    expect(await orderRow(t.db, orders.healthy.order_id)).toEqual(untouched.healthy);
    expect(await orderRow(t.db, orders.paid.order_id)).toEqual(untouched.paid);

    const before = { rows: await rows(), posts: stripeWrites(stripe) };
    const second = await regenerate(club, tournament.id, '--commit');
    expect(second.code).toBe(0);
    expect(second.report.summary).toEqual({
      done: 0,
      would_do: 0,
      unchanged: 5,
      skipped: 0,
      failed: 0,
    });
    expect(await rows()).toEqual(before.rows);
    expect(stripeWrites(stripe)).toBe(before.posts);
  });

  it("another club's tournament id is not found and exits non-zero", async () => {
    const mine = await factories(t.db).club();
    const { tournament } = await brokenTournament();
    const before = stripeWrites(stripe);

    const run = await runCli(
      { app: t, stripe, env: FAIL_AFTER_THREE_TRIES },
      'tournament:regenerate-orders',
      '--tournament',
      String(tournament.id),
      '--tenant',
      mine.tenant.slug,
      '--commit',
    );

    expect(run.code).toBe(1);
    expect(run.err).toContain(`Tournament ${tournament.id} not found`);
    expect(stripeWrites(stripe)).toBe(before);
  });

  it('a failing Stripe read fails only that order and exits non-zero; a re-run completes it', async () => {
    const { club, tournament, orders, legacy } = await brokenTournament();
    // Three tries (FAIL_AFTER_THREE_TRIES), all failing.
    stripe.injectFault({
      method: 'GET',
      path: `/v1/payment_links/${legacy.id}`,
      kind: '500',
      times: 3,
    });

    const first = await regenerate(club, tournament.id, '--commit');
    expect(first.code).toBe(1);
    expect(itemOf(first.report, orders.foreign.order_id)).toMatchObject({
      status: 'failed',
      result: expect.stringMatching(/Stripe could not be reached/),
    });
    expect(itemOf(first.report, orders.missing.order_id).status).toBe('done');
    expect(itemOf(first.report, orders.repriced.order_id).status).toBe('done');
    expect(await orderRow(t.db, orders.foreign.order_id)).toMatchObject({ status: 'pending' });

    stripe.clearFaults();
    const second = await regenerate(club, tournament.id, '--commit');
    expect(second.code).toBe(0);
    expect(second.report.summary).toMatchObject({ done: 1, unchanged: 4, failed: 0 });
    expect(itemOf(second.report, orders.foreign.order_id).status).toBe('done');
    expect(await orderRow(t.db, orders.foreign.order_id)).toMatchObject({ status: 'cancelled' });
  });

  it('an order left cancelled by an interrupted run is re-billed by the next run', async () => {
    const { club, tournament, players, orders } = await brokenTournament();
    // What a run stopped between cancelling and re-billing leaves behind.
    await t
      .as(club.apiKey)
      .post(`/admin/payment-links/${orders.healthy.link!.id}/deactivate`)
      .expect(200);
    await t.as(club.apiKey).post(`/admin/orders/${orders.healthy.order_id}/cancel`).expect(200);

    const dry = await regenerate(club, tournament.id);
    expect(itemOf(dry.report, orders.healthy.order_id)).toMatchObject({
      status: 'would_do',
      result: 'would bill a new order at $75.00: the order was cancelled and not replaced',
    });
    const run = await regenerate(club, tournament.id, '--commit');
    const item = itemOf(run.report, orders.healthy.order_id);
    expect(item).toMatchObject({ status: 'done', columns: { new_order: expect.any(Number) } });
    expect(await recordedOrder(tournament.id, players.healthy.id)).toBe(item.columns.new_order);
  });

  it('re-bills an order whose Checkout Session expired or charges another amount, closing the open one first; a right open session is left alone', async () => {
    const { club, tournament, orders, sessions } = await legacySessionTournament();

    const run = await regenerate(club, tournament.id, '--commit');

    expect(run.code).toBe(0);
    expect(itemOf(run.report, orders.expired)).toMatchObject({
      status: 'done',
      result: 'cancelled and replaced: its Checkout Session expired',
    });
    expect(itemOf(run.report, orders.cheap)).toMatchObject({
      status: 'done',
      result: "cancelled and replaced: the session charges $50.00, not the order's $75.00",
    });
    expect(itemOf(run.report, orders.open)).toMatchObject({
      status: 'unchanged',
      result: 'its open Checkout Session takes the payment',
    });
    // The $50 session can no longer take money for the cancelled order.
    expect((await sdk.checkout.sessions.retrieve(sessions.cheap.id)).status).toBe('expired');
    expect((await sdk.checkout.sessions.retrieve(sessions.open.id)).status).toBe('open');
    expect(await orderRow(t.db, orders.open)).toMatchObject({ status: 'pending' });
  });
});
