import type Stripe from 'stripe';
import request from 'supertest';
import type { StripeEmulator } from '../src/stripe-emulator';
import { sdkClient } from '../src/stripe-emulator/testing/sdk-client';
import type { TestApp } from './support/app';
import { FAIL_AFTER_THREE_TRIES, itemOf, runCliJson } from './support/cli';
import { factories, TestClub } from './support/factories';
import { ORDER_TABLES, orderRow, rowCounts } from './support/rows';
import { stripeWrites, withStripeApp } from './support/stripe';

describe('backfill:checkout-urls: legacy orders with a Checkout Session but no pay URL', () => {
  let stripe: StripeEmulator;
  let sdk: Stripe;
  let t: TestApp;

  withStripeApp((made) => {
    ({ stripe, t } = made);
    sdk = sdkClient(stripe);
  });

  const backfill = (club: TestClub, ...flags: string[]) =>
    runCliJson(
      { app: t, stripe, env: FAIL_AFTER_THREE_TRIES },
      'backfill:checkout-urls',
      '--tenant',
      club.tenant.slug,
      ...flags,
    );
  const rows = () => rowCounts(t.db, ORDER_TABLES);

  /**
   * An unpaid $60 order as the club's previous system left it: a 24-hour Checkout Session
   * naming the order (or, with `tenantId`, another club's order) and no URL stored.
   */
  async function legacyOrder(club: TestClub, options: { tenantId?: number } = {}) {
    const f = factories(t.db);
    const product = await f.product(club.tenant.id, {
      name: 'Spring season fee',
      priceCents: 6_000,
    });
    const order = await f.order(club.tenant.id, { productId: product.id, amountCents: 6_000 });
    const session = await sdk.checkout.sessions.create({
      mode: 'payment',
      line_items: [
        {
          price_data: { currency: 'usd', unit_amount: 6_000, product_data: { name: product.name } },
          quantity: 1,
        },
      ],
      success_url: 'https://legacy.example/thanks',
      metadata: {
        tenant_id: String(options.tenantId ?? club.tenant.id),
        order_id: String(order.id),
        player_id: String(order.playerId),
        product_id: String(product.id),
      },
    });
    await t.db.query('UPDATE orders SET stripe_checkout_session_id = $2 WHERE id = $1', [
      order.id,
      session.id,
    ]);
    return { order, session };
  }

  /** The customer paid but the webhook never arrived: the case `reconcile` exists for. */
  async function paidWithoutWebhook(sessionId: string) {
    stripe.setWebhookUrl('http://127.0.0.1:9/unreachable');
    try {
      await stripe.completeSession(sessionId);
      await stripe.waitForDeliveries();
    } finally {
      stripe.setWebhookUrl(`${t.publicUrl}/webhooks/stripe`);
    }
  }

  it('a dry run lists what it would do and writes nothing: no row and no Stripe write', async () => {
    const club = await factories(t.db).club();
    const open = await legacyOrder(club);
    const expired = await legacyOrder(club);
    await stripe.expireSession(expired.session.id);
    const before = { rows: await rows(), posts: stripeWrites(stripe) };

    const plain = await backfill(club);
    const remint = await backfill(club, '--remint');

    expect(plain.code).toBe(0);
    expect(plain.report).toMatchObject({ commit: false, summary: { would_do: 1, skipped: 1 } });
    expect(itemOf(plain.report, open.order.id)).toMatchObject({
      status: 'would_do',
      result: expect.stringMatching(/^open: would store its pay URL/),
    });
    expect(itemOf(plain.report, expired.order.id)).toMatchObject({
      status: 'skipped',
      result: 'expired: run with --remint to replace it with a payment link',
    });
    expect(itemOf(remint.report, expired.order.id)).toMatchObject({
      status: 'would_do',
      result: 'expired: would replace it with a payment link',
    });
    expect(await rows()).toEqual(before.rows);
    expect(stripeWrites(stripe)).toBe(before.posts);
    for (const { order } of [open, expired])
      expect(await orderRow(t.db, order.id)).toMatchObject({ stripe_checkout_url: null });
  });

  it("stores an open session's URL on the order; a second --commit changes nothing", async () => {
    const club = await factories(t.db).club();
    const { order, session } = await legacyOrder(club);

    const first = await backfill(club, '--commit');
    expect(first.code).toBe(0);
    expect(itemOf(first.report, order.id)).toMatchObject({
      status: 'done',
      columns: { pay_url: session.url },
    });
    expect(await orderRow(t.db, order.id)).toMatchObject({
      status: 'pending',
      stripe_checkout_url: session.url,
    });
    const [audit] = await t.db.query(
      `SELECT actor, action FROM audit_log WHERE tenant_id = $1 AND subject = $2`,
      [club.tenant.id, `order:${order.id}`],
    );
    expect(audit).toEqual({
      actor: 'cli:backfill:checkout-urls',
      action: 'order.checkout_url_stored',
    });

    const before = { rows: await rows(), posts: stripeWrites(stripe) };
    const second = await backfill(club, '--commit');
    expect(second.code).toBe(0);
    expect(second.report.summary).toMatchObject({ done: 0, unchanged: 1, failed: 0 });
    expect(await rows()).toEqual(before.rows);
    expect(stripeWrites(stripe)).toBe(before.posts);
  });

  it('reports an expired session without --remint; with it, the same order gets a working payment link', async () => {
    const club = await factories(t.db).club();
    const { order, session } = await legacyOrder(club);
    await stripe.expireSession(session.id);

    const reported = await backfill(club, '--commit');
    expect(reported.code).toBe(0);
    expect(itemOf(reported.report, order.id)).toMatchObject({
      status: 'skipped',
      result: 'expired: run with --remint to replace it with a payment link',
    });
    expect(await orderRow(t.db, order.id)).toMatchObject({ stripe_checkout_url: null });

    const reminted = await backfill(club, '--commit', '--remint');
    expect(reminted.code).toBe(0);
    const item = itemOf(reminted.report, order.id);
    expect(item).toMatchObject({
      status: 'done',
      result: expect.stringMatching(/^expired: replaced with payment link plink_/),
    });
    const row = await orderRow(t.db, order.id);
    expect(row).toMatchObject({ id: order.id, status: 'pending', amount_cents: 6_000 });
    expect(row.stripe_checkout_url).toBe(item.columns.pay_url);
    const [link] = await t.db.query(
      `SELECT amount_cents, status, url FROM payment_links WHERE order_id = $1`,
      [order.id],
    );
    expect(link).toEqual({ amount_cents: 6_000, status: 'active', url: row.stripe_checkout_url });
    const page = await request(row.stripe_checkout_url!).get('').expect(200);
    expect(page.text).toContain('$60.00');

    const before = { rows: await rows(), posts: stripeWrites(stripe) };
    const again = await backfill(club, '--commit', '--remint');
    expect(again.report.summary).toMatchObject({ done: 0, unchanged: 1, failed: 0 });
    expect(await rows()).toEqual(before.rows);
    expect(stripeWrites(stripe)).toBe(before.posts);
  });

  it('a stored session URL whose session has since expired is reported, and replaced with --remint', async () => {
    const club = await factories(t.db).club();
    const { order, session } = await legacyOrder(club);
    await backfill(club, '--commit');
    expect(await orderRow(t.db, order.id)).toMatchObject({ stripe_checkout_url: session.url });
    await stripe.expireSession(session.id);

    const reported = await backfill(club, '--commit');
    expect(itemOf(reported.report, order.id)).toMatchObject({
      status: 'skipped',
      result: 'expired: run with --remint to replace it with a payment link',
    });
    const reminted = await backfill(club, '--commit', '--remint');
    const item = itemOf(reminted.report, order.id);
    expect(item.status).toBe('done');
    expect(await orderRow(t.db, order.id)).toMatchObject({
      id: order.id,
      amount_cents: 6_000,
      stripe_checkout_url: item.columns.pay_url,
      stripe_payment_link_id: expect.stringMatching(/^plink_/),
    });
    await request(item.columns.pay_url as string)
      .get('')
      .expect(200);
  });

  it("leaves a completed session for reconcile and skips another club's session, writing nothing", async () => {
    const club = await factories(t.db).club();
    const other = await factories(t.db).club();
    const paid = await legacyOrder(club);
    await paidWithoutWebhook(paid.session.id);
    const foreign = await legacyOrder(club, { tenantId: other.tenant.id });
    const before = { rows: await rows(), posts: stripeWrites(stripe) };

    const run = await backfill(club, '--commit', '--remint');
    expect(run.code).toBe(0);
    expect(itemOf(run.report, paid.order.id)).toMatchObject({
      status: 'skipped',
      result: 'complete at Stripe (paid): a payment for reconcile to record; not marked paid here',
    });
    expect(itemOf(run.report, foreign.order.id)).toMatchObject({
      status: 'skipped',
      result: "the session belongs to another club's order",
    });
    expect(await orderRow(t.db, paid.order.id)).toMatchObject({
      status: 'pending',
      stripe_checkout_url: null,
    });
    expect(await rows()).toEqual(before.rows);
    expect(stripeWrites(stripe)).toBe(before.posts);
  });

  it('a failing Stripe read fails only that order and exits non-zero; a re-run completes it', async () => {
    const club = await factories(t.db).club();
    const failing = await legacyOrder(club);
    const healthy = await legacyOrder(club);
    // Three tries (FAIL_AFTER_THREE_TRIES), all failing.
    stripe.injectFault({
      method: 'GET',
      path: `/v1/checkout/sessions/${failing.session.id}`,
      kind: '500',
      times: 3,
    });

    const first = await backfill(club, '--commit');
    expect(first.code).toBe(1);
    expect(itemOf(first.report, failing.order.id)).toMatchObject({
      status: 'failed',
      result: expect.stringMatching(/Stripe could not be reached/),
    });
    expect(itemOf(first.report, healthy.order.id)).toMatchObject({ status: 'done' });
    expect(await orderRow(t.db, failing.order.id)).toMatchObject({ stripe_checkout_url: null });

    stripe.clearFaults();
    const second = await backfill(club, '--commit');
    expect(second.code).toBe(0);
    expect(itemOf(second.report, failing.order.id)).toMatchObject({ status: 'done' });
    expect(itemOf(second.report, healthy.order.id)).toMatchObject({ status: 'unchanged' });
    expect(await orderRow(t.db, failing.order.id)).toMatchObject({
      stripe_checkout_url: failing.session.url,
    });
  });
});
