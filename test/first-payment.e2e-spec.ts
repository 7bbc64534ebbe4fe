import type Stripe from 'stripe';
import request from 'supertest';
import type { Product } from '../src/club/entities/product.entity';
import type { StripeEmulator } from '../src/stripe-emulator';
import { mintLink, sdkClient } from '../src/stripe-emulator/testing/sdk-client';
import type { TestApp } from './support/app';
import { factories, TestClub } from './support/factories';
import { withStripeApp } from './support/stripe';
import { holdDeliveries } from './support/webhook-events';

describe('monthly first payment', () => {
  let stripe: StripeEmulator;
  let t: TestApp;
  let club: TestClub;

  let sdk: Stripe;
  let monthly: Product;

  withStripeApp((made) => ({ stripe, t, club } = made));
  beforeAll(async () => {
    sdk = sdkClient(stripe);
    monthly = await factories(t.db).product(club.tenant.id, {
      name: 'Monthly dues',
      category: 'monthly',
      priceCents: 12500,
    });
  });

  async function signedPlayer(
    overrides: {
      monthlyFeeCents?: number | null;
      contractStatus?: 'signed' | 'pending' | 'terminated';
    } = {},
  ) {
    const team = await factories(t.db).team(club.tenant.id, { monthlyFeeCents: 9500 });
    return factories(t.db).player(club.tenant.id, {
      teamId: team.id,
      contractStatus: 'signed',
      ...overrides,
    });
  }
  const linkOf = async (playerId: number) =>
    (await t.as(club.apiKey).post(`/admin/players/${playerId}/first-payment-link`).expect(200)).body
      .url as string;
  const click = (url: string) => request(url).get('');
  const monthlyOrders = (playerId: number) =>
    t.db.query(`SELECT id, status, amount_cents FROM orders WHERE player_id = $1 ORDER BY id`, [
      playerId,
    ]) as Promise<{ id: number; status: string; amount_cents: number }[]>;

  it('gives each player a public link with an unguessable token', async () => {
    const player = await signedPlayer();
    const url = await linkOf(player.id);
    expect(url).toMatch(/\/checkout\/first-payment\?token=[0-9a-f]{64}$/);
  });

  it("a signed contract goes straight to Stripe's pay page for the team's flat fee; a second click reuses the link without calling Stripe", async () => {
    const player = await signedPlayer();
    const url = await linkOf(player.id);
    const first = await click(url).expect(303);
    expect(first.headers.location).toMatch(/\/b\/plink_/);
    expect(await monthlyOrders(player.id)).toEqual([
      expect.objectContaining({ status: 'pending', amount_cents: 9500 }),
    ]);
    const calls = stripe.requests.length;
    const second = await click(url).expect(303);
    expect(second.headers.location).toBe(first.headers.location);
    expect(stripe.requests.length).toBe(calls);
    const created = stripe.requests.find(
      (r) => r.path === '/v1/payment_links' && r.params.payment_intent_data,
    );
    expect(created?.params).toMatchObject({
      payment_intent_data: { setup_future_usage: 'off_session' },
    });
  });

  it("charges the player's own fee override, never a prorated amount", async () => {
    const player = await signedPlayer({ monthlyFeeCents: 6000 });
    await click(await linkOf(player.id)).expect(303);
    expect(await monthlyOrders(player.id)).toEqual([
      expect.objectContaining({ amount_cents: 6000 }),
    ]);
  });

  it('a fee changed between two clicks cancels the old order, retires its link and mints one at the new fee', async () => {
    const player = await signedPlayer();
    const url = await linkOf(player.id);
    const before = (await click(url).expect(303)).headers.location;
    await t.db.query('UPDATE players SET monthly_fee_cents = 7000 WHERE id = $1', [player.id]);
    const after = (await click(url).expect(303)).headers.location;
    expect(after).not.toBe(before);
    expect((await monthlyOrders(player.id)).map((o) => [o.status, o.amount_cents])).toEqual([
      ['cancelled', 9500],
      ['pending', 7000],
    ]);
    const [old] = await t.db.query(`SELECT status FROM payment_links WHERE url = $1`, [before]);
    expect(old.status).toBe('deactivated');
  });

  it('two clicks at once create one order and one link', async () => {
    const player = await signedPlayer();
    const url = await linkOf(player.id);
    const [a, b] = await Promise.all([click(url), click(url)]);
    expect([a.status, b.status]).toEqual([303, 303]);
    expect(a.headers.location).toBe(b.headers.location);
    expect(await monthlyOrders(player.id)).toHaveLength(1);
  });

  it('an order paid while its new link is being minted is never charged twice: that link is closed at once', async () => {
    const player = await signedPlayer();
    const url = await linkOf(player.id);
    stripe.injectFault({
      method: 'POST',
      path: '/v1/payment_links',
      kind: 'latency',
      latencyMs: 800,
    });
    const clicking = click(url).then((res) => res); // supertest sends only once awaited
    await new Promise((resolve) => setTimeout(resolve, 400));
    await t.db.query(
      `UPDATE orders SET status = 'paid', paid_at = now(), amount_paid_cents = amount_cents WHERE player_id = $1`,
      [player.id],
    );
    const res = await clicking;
    expect(res.status).toBe(200);
    expect(res.text).toContain('Already paid');
    const minted = stripe.requests.filter(
      (r) => r.path === '/v1/payment_links' && r.method === 'POST',
    );
    const last = minted[minted.length - 1];
    expect(
      stripe.requests.some(
        (r) =>
          r.method === 'POST' &&
          r.path.startsWith('/v1/payment_links/') &&
          r.params.active === 'false',
      ),
    ).toBe(true);
    expect(last).toBeDefined();
    const [{ count }] = await t.db.query(
      `SELECT count(*)::int AS count FROM payment_links WHERE player_id = $1 AND status = 'active'`,
      [player.id],
    );
    expect(count).toBe(0);
  });

  it('explains, without any detail about others, a contract not signed, a terminated one, an unknown or tampered token, and a paid month (A4)', async () => {
    const pending = await signedPlayer({ contractStatus: 'pending' });
    const terminated = await signedPlayer({ contractStatus: 'terminated' });
    const notSigned = await click(await linkOf(pending.id)).expect(200);
    expect(notSigned.text).toContain('contract is not signed');
    expect(notSigned.text).not.toContain(pending.name);
    const ended = await click(await linkOf(terminated.id)).expect(200);
    expect(ended.text).toContain('Not ready for payment');
    expect(await monthlyOrders(pending.id)).toEqual([]);

    const real = await linkOf((await signedPlayer()).id);
    const tampered = real.replace(/.$/, (c) => (c === '0' ? '1' : '0'));
    for (const url of [
      tampered,
      real.replace(/token=.*/, 'token=abc'),
      real.replace(/\?token=.*/, ''),
    ]) {
      const res = await click(url).expect(404);
      expect(res.text).toContain('This link does not work');
      expect(res.text).not.toContain(club.tenant.name);
    }

    const paid = await signedPlayer();
    const paidUrl = await linkOf(paid.id);
    await click(paidUrl).expect(303);
    await t.db.query(`UPDATE orders SET status = 'paid', paid_at = now() WHERE player_id = $1`, [
      paid.id,
    ]);
    expect((await click(paidUrl).expect(200)).text).toContain('Already paid');
  });

  it('the first_payment blast gives each family one message with a first-month link per signed, unpaid player', async () => {
    const other = await factories(t.db).club();
    await factories(t.db).product(other.tenant.id, { name: 'Monthly dues', category: 'monthly' });
    const team = await factories(t.db).team(other.tenant.id, { monthlyFeeCents: 8000 });
    const parent = await factories(t.db).parent(other.tenant.id, { name: 'Avery Lee' });
    const make = (name: string, contractStatus: 'signed' | 'pending') =>
      factories(t.db).player(other.tenant.id, {
        parentId: parent.id,
        teamId: team.id,
        name,
        contractStatus,
      });
    await make('Maya Lee', 'signed');
    await make('Noa Lee', 'signed');
    await make('Kai Lee', 'pending');
    const preview = (
      await t
        .as(other.apiKey)
        .post('/admin/email/blasts')
        .send({ query: 'first_payment' })
        .expect(201)
    ).body;
    expect(preview.recipient_count).toBe(1);
    const html: string = preview.sample.html;
    expect(html).toContain('Maya Lee');
    expect(html).toContain('Noa Lee');
    expect(html).not.toContain('Kai Lee');
    const links = [...html.matchAll(/href="([^"]*first-payment[^"]*)"/g)].map((m) =>
      m[1].replace(/&#x3D;/g, '='),
    );
    expect(new Set(links).size).toBe(2);
    const res = await request(links[0]).get('').expect(303);
    expect(res.headers.location).toMatch(/\/b\/plink_/);
  });

  it('after paying, the thank-you page confirms the item; an unknown session gets a general thank-you', async () => {
    const player = await signedPlayer();
    const payPage = (await click(await linkOf(player.id)).expect(303)).headers.location as string;
    const session = await stripe.pay(/plink_\w+/.exec(payPage)![0]);
    await stripe.waitForDeliveries();
    const thanks = await t.http().get(`/checkout/thanks?session_id=${session.id}`).expect(200);
    expect(thanks.text).toContain('Your payment for Monthly dues was received');
    const unknown = await t.http().get('/checkout/thanks?session_id=cs_unknown').expect(200);
    expect(unknown.text).toContain('Thank you!');
    expect(unknown.text).not.toContain('Monthly dues');
  });

  describe('a first-month order the previous system left with a Stripe pay page', () => {
    /** A signed player's $95 first-month order, imported with a 24-hour Checkout Session. */
    async function importedWithSession(metadata: Record<string, string> = {}) {
      const player = await signedPlayer();
      const order = await factories(t.db).order(club.tenant.id, {
        playerId: player.id,
        productId: monthly.id,
        amountCents: 9500,
      });
      const session = await sdk.checkout.sessions.create({
        mode: 'payment',
        line_items: [
          {
            price_data: { currency: 'usd', unit_amount: 9500, product_data: { name: 'Dues' } },
            quantity: 1,
          },
        ],
        success_url: 'https://legacy.example/thanks',
        metadata: {
          tenant_id: String(club.tenant.id),
          order_id: String(order.id),
          player_id: String(player.id),
          product_id: String(monthly.id),
          ...metadata,
        },
      });
      await t.db.query(
        'UPDATE orders SET stripe_checkout_session_id = $2, stripe_checkout_url = $3 WHERE id = $1',
        [order.id, session.id, session.url],
      );
      return { player, order, session, url: await linkOf(player.id) };
    }
    const activeLinksOf = (orderId: number) =>
      t.db.query(
        `SELECT stripe_payment_link_id, url FROM payment_links WHERE order_id = $1 AND status = 'active'`,
        [orderId],
      ) as Promise<{ stripe_payment_link_id: string; url: string }[]>;

    /** The click went to a new persistent link of the same order, and paying it pays the order. */
    async function expectMintedLinkThatPays(
      res: request.Response,
      imported: Awaited<ReturnType<typeof importedWithSession>>,
    ) {
      const [link] = await activeLinksOf(imported.order.id);
      expect(link).toBeDefined();
      expect(res.headers.location).toBe(link.url);
      expect(res.headers.location).not.toBe(imported.session.url);
      expect(await monthlyOrders(imported.player.id)).toEqual([
        expect.objectContaining({ id: imported.order.id, status: 'pending' }),
      ]);
      await stripe.pay(link.stripe_payment_link_id);
      await stripe.waitForDeliveries();
      expect(await monthlyOrders(imported.player.id)).toEqual([
        expect.objectContaining({ id: imported.order.id, status: 'paid' }),
      ]);
    }

    it('goes to the stored Checkout Session while Stripe says it is open', async () => {
      const imported = await importedWithSession();
      const res = await click(imported.url).expect(303);
      expect(res.headers.location).toBe(imported.session.url);
      expect(await activeLinksOf(imported.order.id)).toEqual([]);
    });

    it('never sends the family to an expired Checkout Session: the click mints a persistent link for the order', async () => {
      const imported = await importedWithSession();
      await stripe.expireSession(imported.session.id);
      const res = await click(imported.url).expect(303);
      await expectMintedLinkThatPays(res, imported);
    });

    it('a session left open past its expires_at is dead too: the click mints a link', async () => {
      const imported = await importedWithSession();
      // Only the clock moves (to the session's expiry); timers keep running for the app.
      jest.useFakeTimers({
        doNotFake: [
          'hrtime',
          'nextTick',
          'performance',
          'queueMicrotask',
          'setImmediate',
          'clearImmediate',
          'setInterval',
          'clearInterval',
          'setTimeout',
          'clearTimeout',
        ],
      });
      let res: request.Response;
      try {
        jest.setSystemTime((imported.session.expires_at + 1) * 1000);
        res = await click(imported.url).expect(303);
      } finally {
        jest.useRealTimers();
      }
      expect((await sdk.checkout.sessions.retrieve(imported.session.id)).status).toBe('expired');
      await expectMintedLinkThatPays(res, imported);
    });

    it('an open session that would credit nobody (no order in its metadata) is not used, and is closed so an old email cannot take that payment', async () => {
      const imported = await importedWithSession({ order_id: '' });
      const res = await click(imported.url).expect(303);
      expect((await sdk.checkout.sessions.retrieve(imported.session.id)).status).toBe('expired');
      await expectMintedLinkThatPays(res, imported);
    });

    it('a session the family already paid, its webhook not here yet, is a payment in progress: no second link to pay twice', async () => {
      const imported = await importedWithSession();
      const held = await holdDeliveries(stripe, t);
      await stripe.completeSession(imported.session.id);
      const res = await click(imported.url).expect(200);
      expect(res.text).toContain('Payment in progress');
      expect(await activeLinksOf(imported.order.id)).toEqual([]);
      await held.release();
      for (const event of stripe.events.filter(
        (e) => (e.data.object as { id?: string }).id === imported.session.id,
      ))
        await stripe.redeliver(event.id);
      expect(await monthlyOrders(imported.player.id)).toEqual([
        expect.objectContaining({ id: imported.order.id, status: 'paid' }),
      ]);
    });

    it('a payment link the previous system made that no longer takes payments is replaced by a new one', async () => {
      const player = await signedPlayer();
      const order = await factories(t.db).order(club.tenant.id, {
        playerId: player.id,
        productId: monthly.id,
        amountCents: 9500,
      });
      const legacy = await mintLink(sdk, { amount: 9500, metadata: {} });
      await sdk.paymentLinks.update(legacy.id, { active: false });
      await t.db.query(
        'UPDATE orders SET stripe_payment_link_id = $2, stripe_checkout_url = $3 WHERE id = $1',
        [order.id, legacy.id, legacy.url],
      );
      const res = await click(await linkOf(player.id)).expect(303);
      const [link] = await activeLinksOf(order.id);
      expect(res.headers.location).toBe(link.url);
      expect(link.stripe_payment_link_id).not.toBe(legacy.id);
    });
  });

  describe('when Stripe cannot be reached (no retries, to fail at once)', () => {
    let stripe2: StripeEmulator;
    let t2: TestApp;
    let club2: TestClub;
    withStripeApp((made) => ({ stripe: stripe2, t: t2, club: club2 } = made), {
      env: { STRIPE_MAX_RETRIES: '0' },
    });

    it('the family gets a readable page saying nothing was charged and to try again, and the same link works once Stripe answers', async () => {
      await factories(t2.db).product(club2.tenant.id, { category: 'monthly', priceCents: 12500 });
      const team = await factories(t2.db).team(club2.tenant.id, { monthlyFeeCents: 9500 });
      const player = await factories(t2.db).player(club2.tenant.id, {
        teamId: team.id,
        contractStatus: 'signed',
      });
      const url = (
        await t2.as(club2.apiKey).post(`/admin/players/${player.id}/first-payment-link`).expect(200)
      ).body.url as string;
      stripe2.injectFault({ method: 'POST', path: /^\/v1\//, kind: '500', times: 1 });
      const failed = await click(url).expect(503);
      expect(failed.headers['content-type']).toMatch(/^text\/html/);
      expect(failed.text).toContain('We could not open the payment page');
      expect(failed.text).toContain('Nothing was charged');
      expect(failed.text).not.toMatch(/payment_provider|Stripe|statusCode/);

      const retried = await click(url).expect(303);
      expect(retried.headers.location).toMatch(/\/b\/plink_/);
    });
  });
});
