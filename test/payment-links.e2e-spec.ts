import request from 'supertest';
import type { StripeEmulator } from '../src/stripe-emulator';
import type { TestApp } from './support/app';
import { eventually } from './support/eventually';
import { factories, TestClub } from './support/factories';
import { withStripeApp } from './support/stripe';

describe('persistent payment links', () => {
  let stripe: StripeEmulator;
  let t: TestApp;
  let club: TestClub;

  withStripeApp((made) => ({ stripe, t, club } = made));

  const orderFor = (overrides: Parameters<ReturnType<typeof factories>['order']>[1] = {}) =>
    factories(t.db).order(club.tenant.id, overrides);
  const mint = (orderId: number) => t.as(club.apiKey).post(`/admin/orders/${orderId}/payment-link`);
  const orderOf = async (id: number) =>
    (await t.as(club.apiKey).get(`/admin/orders/${id}`).expect(200)).body;

  it('mint → pay on the hosted page → webhook → order paid → link retired and deactivated at Stripe', async () => {
    const product = await factories(t.db).product(club.tenant.id, {
      name: 'Winter Classic fee',
      priceCents: 6000,
    });
    const order = await orderFor({ productId: product.id, amountCents: 6000 });
    const link = (await mint(order.id).expect(201)).body;
    expect(link).toMatchObject({ order_id: order.id, amount_cents: 6000, status: 'active' });
    expect(await orderOf(order.id)).toMatchObject({
      stripe_payment_link_id: link.stripe_payment_link_id,
      stripe_checkout_url: link.url,
    });

    const page = await request(link.url).get('').expect(200);
    expect(page.text).toContain('Winter Classic fee');
    expect(page.text).toContain('$60.00');

    // Click Pay: the page's form posts back and Stripe redirects to our thank-you page.
    const action = /<form method="post" action="([^"]+)"/.exec(page.text)?.[1];
    expect(action).toBeDefined();
    const paid = await request(new URL(action!, link.url).toString())
      .post('')
      .type('form')
      .send({ method: 'card' })
      .expect(303);
    expect(paid.headers.location).toMatch(/\/checkout\/thanks\?session_id=cs_/);
    await stripe.waitForDeliveries();
    expect(await orderOf(order.id)).toMatchObject({
      status: 'paid',
      amount_paid_cents: 6000,
      paid_at: expect.any(String),
    });

    await eventually(async () => {
      const after = (await t.as(club.apiKey).get(`/admin/payment-links/${link.id}`).expect(200))
        .body;
      expect(after).toMatchObject({
        status: 'paid',
        paid_at: expect.any(String),
        deactivated_at: expect.any(String),
      });
    });
    const closed = await request(link.url).get('').expect(200);
    expect(closed.text).not.toMatch(/<button[^>]*>\s*Pay\s*</);
  });

  it('puts the order ids on the link and on its PaymentIntent, and keeps a monthly card for later', async () => {
    const monthly = await factories(t.db).product(club.tenant.id, {
      category: 'monthly',
      priceCents: 12500,
    });
    const order = await orderFor({ productId: monthly.id, amountCents: 9000 });
    const link = (await mint(order.id).expect(201)).body;
    const created = stripe.requests.find(
      (r) =>
        r.path === '/v1/payment_links' &&
        r.idempotencyKey === `link:${club.tenant.id}:${order.id}:v1`,
    );
    const metadata = {
      tenant_id: String(club.tenant.id),
      order_id: String(order.id),
      player_id: String(order.playerId),
      product_id: String(monthly.id),
    };
    expect(created?.params).toMatchObject({
      metadata,
      payment_intent_data: { metadata, setup_future_usage: 'off_session' },
      restrictions: { completed_sessions: { limit: '1' } },
    });
    // The order's amount (a scholarship here), never the product's list price.
    expect(link.amount_cents).toBe(9000);
    const price = stripe.requests.find(
      (r) =>
        r.path === '/v1/prices' &&
        r.idempotencyKey === `price:${club.tenant.id}:${monthly.id}:usd:9000`,
    );
    expect(price?.params).toMatchObject({ unit_amount: '9000', currency: 'usd' });
  });

  it('minting again returns the same active link; nothing new is created at Stripe', async () => {
    const order = await orderFor();
    const first = (await mint(order.id).expect(201)).body;
    const before = stripe.requests.filter((r) => r.method === 'POST').length;
    const again = (await mint(order.id).expect(200)).body;
    const byItem = (
      await t
        .as(club.apiKey)
        .post('/admin/payment-links')
        .send({ player_id: order.playerId, product_id: order.productId })
        .expect(200)
    ).body;
    expect(again.id).toBe(first.id);
    expect(byItem.id).toBe(first.id);
    expect(stripe.requests.filter((r) => r.method === 'POST').length).toBe(before);
  });

  it('two concurrent mints for one order make one link', async () => {
    const order = await orderFor();
    const results = await Promise.all([mint(order.id), mint(order.id), mint(order.id)]);
    expect(results.map((res) => res.status).sort()).toEqual([200, 200, 201]);
    expect(new Set(results.map((res) => res.body.id)).size).toBe(1);
    const [{ count }] = await t.db.query(
      'SELECT count(*)::int AS count FROM payment_links WHERE order_id = $1',
      [order.id],
    );
    expect(count).toBe(1);
    expect(
      stripe.requests.filter(
        (r) =>
          r.path === '/v1/payment_links' &&
          r.status === 200 &&
          r.idempotencyKey === `link:${club.tenant.id}:${order.id}:v1`,
      ).length,
    ).toBeGreaterThanOrEqual(1);
  });

  it('reuses one Stripe product and one price per amount tier', async () => {
    const product = await factories(t.db).product(club.tenant.id);
    for (let i = 0; i < 3; i++)
      await mint((await orderFor({ productId: product.id, amountCents: 5000 })).id).expect(201);
    await mint((await orderFor({ productId: product.id, amountCents: 2500 })).id).expect(201);
    const [{ products, prices }] = await t.db.query(
      `SELECT (SELECT count(DISTINCT stripe_product_id) FROM products WHERE id = $1)::int AS products,
              (SELECT count(*) FROM product_prices WHERE product_id = $1)::int AS prices`,
      [product.id],
    );
    expect({ products, prices }).toEqual({ products: 1, prices: 2 });
  });

  it('POST /admin/payment-links makes the order when the player owes nothing yet', async () => {
    const player = await factories(t.db).player(club.tenant.id);
    const product = await factories(t.db).product(club.tenant.id, { priceCents: 4500 });
    const res = await t
      .as(club.apiKey)
      .post('/admin/payment-links')
      .send({ player_id: player.id, product_id: product.id, amount_cents: 4000 })
      .expect(201);
    expect(res.body).toMatchObject({
      player_id: player.id,
      product_id: product.id,
      amount_cents: 4000,
    });
    expect(await orderOf(res.body.order_id)).toMatchObject({
      status: 'pending',
      amount_cents: 4000,
    });
  });

  it('deactivates a link on demand, at Stripe and here; the order can then get a new one', async () => {
    const order = await orderFor();
    const link = (await mint(order.id).expect(201)).body;
    const res = await t
      .as(club.apiKey)
      .post(`/admin/payment-links/${link.id}/deactivate`)
      .expect(200);
    expect(res.body).toMatchObject({ status: 'deactivated', deactivated_at: expect.any(String) });
    expect(
      stripe.requests.some(
        (r) =>
          r.path === `/v1/payment_links/${link.stripe_payment_link_id}` &&
          r.params.active === 'false',
      ),
    ).toBe(true);
    await t.as(club.apiKey).post(`/admin/payment-links/${link.id}/deactivate`).expect(409);
    const next = (await mint(order.id).expect(201)).body;
    expect(next.id).not.toBe(link.id);
    expect(
      stripe.requests.some((r) => r.idempotencyKey === `link:${club.tenant.id}:${order.id}:v2`),
    ).toBe(true);
  });

  it('cancelling an order closes its pay link first, at Stripe too, so the family can no longer pay it', async () => {
    const order = await orderFor();
    const link = (await mint(order.id).expect(201)).body;

    await t.as(club.apiKey).post(`/admin/orders/${order.id}/cancel`).expect(200);

    expect(await orderOf(order.id)).toMatchObject({ status: 'cancelled' });
    const after = await t.as(club.apiKey).get(`/admin/payment-links/${link.id}`).expect(200);
    expect(after.body).toMatchObject({ status: 'deactivated' });
    const page = await request(link.url).get('');
    expect(page.text).toMatch(/no longer due/);
    await t.as(club.apiKey).post(`/admin/orders/${order.id}/cancel`).expect(409);
  });

  it('refuses a link for a paid or cancelled order', async () => {
    await mint((await orderFor({ status: 'paid', amountPaidCents: 5000 })).id).expect(409);
    await mint((await orderFor({ status: 'cancelled' })).id).expect(409);
  });

  it('lists links by status', async () => {
    const res = await t.as(club.apiKey).get('/admin/payment-links?status=deactivated').expect(200);
    expect(res.body.data.length).toBeGreaterThan(0);
    expect(res.body.data.every((l: { status: string }) => l.status === 'deactivated')).toBe(true);
  });
});
