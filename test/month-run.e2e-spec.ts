import type Stripe from 'stripe';
import type { Parent } from '../src/club/entities/parent.entity';
import type { Player } from '../src/club/entities/player.entity';
import type { Product } from '../src/club/entities/product.entity';
import type { Team } from '../src/club/entities/team.entity';
import { addMonths, localNow } from '../src/common/month/billing-month';
import { MonthRunService } from '../src/month/services/month-run.service';
import type { StripeEmulator } from '../src/stripe-emulator';
import type { TestCardToken } from '../src/stripe-emulator/payments/test-cards';
import { sdkClient } from '../src/stripe-emulator/testing/sdk-client';
import type { TestApp } from './support/app';
import { eventually } from './support/eventually';
import { factories, NO_QUIET_HOURS, TestClub } from './support/factories';
import { ORDER_TABLES, rowCounts } from './support/rows';
import { SmtpSink } from './support/smtp-sink';
import { stripeWrites, withStripeApp } from './support/stripe';
import { craftEvent, postWebhook, signed } from './support/webhook-events';

/**
 * The club's month (monthly-cycle.md §2, §5; M1–M3, M5, M7, M8): the run bills each started,
 * signed player once, charges saved cards off-session (paid only by the webhook) and gives the
 * others Pay Now links; a refused card means a link and one mail.
 */
const MONTH_TABLES = [
  ...ORDER_TABLES,
  'billing_runs',
  'charge_attempts',
  'email_messages',
  'reminders_sent',
];

describe('the month run', () => {
  let stripe: StripeEmulator;
  let t: TestApp;
  let club: TestClub;
  let sink: SmtpSink;
  let sdk: Stripe;
  let dues: Product;
  let runs: MonthRunService;
  /** Each test bills months of its own, so runs of one test never meet another's. */
  let nextMonth = addMonths(localNow(new Date(), 'UTC').month, 1);
  const freshMonth = () => {
    const month = nextMonth;
    nextMonth = addMonths(nextMonth, 1);
    return month;
  };

  withStripeApp((made) => ({ stripe, t, club, sink } = made), { sink: () => SmtpSink.start() });
  beforeAll(() => {
    sdk = sdkClient(stripe);
    runs = t.app.get(MonthRunService);
  });
  // A club per test: a month run bills every started player of its club.
  beforeEach(async () => {
    club = await factories(t.db).club(NO_QUIET_HOURS);
    dues = await factories(t.db).product(club.tenant.id, {
      name: 'Monthly dues',
      category: 'monthly',
      priceCents: 12_500,
    });
  });

  const admin = () => t.as(club.apiKey);
  const ctx = () => ({ tenantId: club.tenant.id, actor: 'test' });

  /** A signed player who started: their first month's order exists (paid). */
  async function startedPlayer(
    options: { team?: Team; parent?: Parent; contractStatus?: Player['contractStatus'] } = {},
  ) {
    const team =
      options.team ?? (await factories(t.db).team(club.tenant.id, { monthlyFeeCents: 12_500 }));
    const player = await factories(t.db).player(club.tenant.id, {
      teamId: team.id,
      contractStatus: options.contractStatus ?? 'signed',
      ...(options.parent && { parentId: options.parent.id }),
    });
    await factories(t.db).order(club.tenant.id, {
      playerId: player.id,
      productId: dues.id,
      amountCents: 12_500,
      status: 'paid',
      amountPaidCents: 12_500,
      paidAt: new Date(),
    });
    return { player, team };
  }

  /** A family whose card is kept at Stripe (attached to their customer) as autopay's. */
  async function familyWithCard(card: TestCardToken = 'pm_card_visa') {
    const parent = await factories(t.db).parent(club.tenant.id);
    const customer = await sdk.customers.create({ email: parent.email! });
    const method = await sdk.paymentMethods.attach(card, { customer: customer.id });
    await t.db.query(
      `UPDATE parents SET stripe_customer_id = $2, autopay_payment_method_id = $3, card_brand = $4,
              card_last4 = $5, card_exp_month = $6, card_exp_year = $7 WHERE id = $1`,
      [
        parent.id,
        customer.id,
        method.id,
        method.card!.brand,
        method.card!.last4,
        method.card!.exp_month,
        method.card!.exp_year,
      ],
    );
    return { parent, customer, method };
  }

  const periodOrders = (playerIds: number[], month: string) =>
    t.db.query(
      `SELECT id, player_id, status, amount_cents, billing_run_id FROM orders
       WHERE player_id = ANY($1) AND billing_period = $2 ORDER BY player_id, id`,
      [playerIds, `${month}-01`],
    ) as Promise<
      {
        id: number;
        player_id: number;
        status: string;
        amount_cents: number;
        billing_run_id: number;
      }[]
    >;
  const activeLinks = (orderId: number) =>
    t.db.query(
      `SELECT id, url, stripe_payment_link_id FROM payment_links WHERE order_id = $1 AND status = 'active'`,
      [orderId],
    ) as Promise<{ id: number; url: string; stripe_payment_link_id: string }[]>;
  const attempts = (orderId: number) =>
    t.db.query(
      `SELECT attempt, status, decline_code, stripe_payment_intent_id FROM charge_attempts WHERE order_id = $1 ORDER BY attempt`,
      [orderId],
    ) as Promise<
      {
        attempt: number;
        status: string;
        decline_code: string | null;
        stripe_payment_intent_id: string | null;
      }[]
    >;
  const paymentIntentCreates = () =>
    stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_intents');
  const mailsTo = (email: string) => sink.messagesTo(email);
  const paid = (orderId: number) =>
    eventually(async () => {
      const [order] = (await t.db.query(`SELECT status FROM orders WHERE id = $1`, [orderId])) as {
        status: string;
      }[];
      expect(order.status).toBe('paid');
    });

  it('a dry run lists every player billed or skipped with the reason, and writes nothing nor calls Stripe (M1)', async () => {
    const month = freshMonth();
    const season = await factories(t.db).team(club.tenant.id, {
      monthlyFeeCents: 12_500,
      billingStartsOn: `${addMonths(month, 1)}-01`,
    });
    const billed = await startedPlayer();
    const pending = await startedPlayer({ contractStatus: 'pending' });
    const outOfSeason = await startedPlayer({ team: season });
    const notStarted = await factories(t.db).player(club.tenant.id, {
      teamId: billed.team.id,
      contractStatus: 'signed',
    });
    const before = await rowCounts(t.db, MONTH_TABLES);
    const writes = stripeWrites(stripe);

    const preview = (
      await admin().post('/admin/billing/runs').send({ period: month, dry_run: true }).expect(201)
    ).body as {
      would_bill: { player_id: number; amount_cents: number }[];
      skipped: { player_id: number; reason: string }[];
    };
    expect(preview.would_bill).toContainEqual(
      expect.objectContaining({ player_id: billed.player.id, amount_cents: 12_500 }),
    );
    const reasons = Object.fromEntries(preview.skipped.map((s) => [s.player_id, s.reason]));
    expect(reasons[pending.player.id]).toBe('not_signed');
    expect(reasons[outOfSeason.player.id]).toBe('outside_season');
    expect(reasons[notStarted.id]).toBe('not_started');
    expect(reasons[billed.player.id]).toBeUndefined();

    expect(await rowCounts(t.db, MONTH_TABLES)).toEqual(before);
    expect(stripeWrites(stripe)).toBe(writes);
    expect(
      await t.db.query(`SELECT 1 FROM billing_runs WHERE tenant_id = $1 AND period = $2`, [
        club.tenant.id,
        `${month}-01`,
      ]),
    ).toEqual([]);
  });

  it('started twice and by three callers at once, the run makes one order per player and one charge per card; its counts add up (M1)', async () => {
    const month = freshMonth();
    const { parent } = await familyWithCard();
    const carded = await startedPlayer({ parent });
    const linked = await startedPlayer();
    const notSigned = await startedPlayer({ contractStatus: 'terminated' });
    const creates = paymentIntentCreates().length;

    await Promise.all([runs.run(ctx(), month), runs.run(ctx(), month), runs.run(ctx(), month)]);
    const run = await runs.run(ctx(), month);

    const orders = await periodOrders(
      [carded.player.id, linked.player.id, notSigned.player.id],
      month,
    );
    expect(orders.map((o) => o.player_id)).toEqual([carded.player.id, linked.player.id]);
    expect(new Set(orders.map((o) => o.billing_run_id))).toEqual(new Set([run.id]));
    const [chargedOrder, linkedOrder] = orders;
    // Three callers sent Stripe the same key: one PaymentIntent.
    const tries = await attempts(chargedOrder.id);
    expect(tries).toEqual([expect.objectContaining({ attempt: 1, status: 'succeeded' })]);
    const intents = new Set(
      paymentIntentCreates()
        .slice(creates)
        .map((r) => r.idempotencyKey),
    );
    expect([...intents]).toEqual([`autopay:${club.tenant.id}:${chargedOrder.id}:v1`]);
    await paid(chargedOrder.id);
    expect(await activeLinks(linkedOrder.id)).toHaveLength(1);
    expect(await attempts(linkedOrder.id)).toEqual([]);

    const players = (await t.db.query(
      `SELECT count(*)::int AS n FROM players WHERE tenant_id = $1`,
      [club.tenant.id],
    )) as { n: number }[];
    const stored = (await admin().get(`/admin/billing/runs/${run.id}`).expect(200)).body as {
      status: string;
      orders_created: number;
      charged: number;
      links_minted: number;
      skipped: { player_id: number; reason: string }[];
    };
    expect(stored.status).toBe('done');
    expect(stored.orders_created + stored.skipped.length).toBe(players[0].n);
    expect(stored.skipped).toContainEqual(
      expect.objectContaining({ player_id: notSigned.player.id, reason: 'not_signed' }),
    );
    expect(stored.charged).toBeGreaterThanOrEqual(1);
    expect(stored.links_minted).toBeGreaterThanOrEqual(1);
  });

  it("Autopay's PaymentIntent create cut off after Stripe made it is retried under its key: one PaymentIntent, one charge, the order paid once by its webhook (M2)", async () => {
    const month = freshMonth();
    const { parent } = await familyWithCard();
    const { player } = await startedPlayer({ parent });
    // Cut off twice after Stripe made it (the SDK retries a reset once by itself; the service's
    // own retry, under the same key, must do the rest).
    stripe.injectFault({
      method: 'POST',
      path: '/v1/payment_intents',
      kind: 'reset',
      when: 'after',
      times: 2,
    });
    const creates = paymentIntentCreates().length;

    await runs.run(ctx(), month);

    const [order] = await periodOrders([player.id], month);
    const sent = paymentIntentCreates().slice(creates);
    expect(sent.length).toBeGreaterThanOrEqual(3);
    expect(new Set(sent.map((r) => r.idempotencyKey))).toEqual(
      new Set([`autopay:${club.tenant.id}:${order.id}:v1`]),
    );
    const succeeded = () =>
      stripe.events.filter(
        (event) =>
          event.type === 'payment_intent.succeeded' &&
          (event.data.object as { metadata: Record<string, string> }).metadata.order_id ===
            String(order.id),
      );
    const tries = await attempts(order.id);
    expect(tries).toEqual([expect.objectContaining({ attempt: 1, status: 'succeeded' })]);
    expect(succeeded()).toHaveLength(1);
    await paid(order.id);
    const [row] = (await t.db.query(
      `SELECT amount_paid_cents, stripe_payment_intent_id FROM orders WHERE id = $1`,
      [order.id],
    )) as { amount_paid_cents: number; stripe_payment_intent_id: string }[];
    expect(row).toEqual({
      amount_paid_cents: 12_500,
      stripe_payment_intent_id: tries[0].stripe_payment_intent_id,
    });
  });

  describe.each([
    ['pm_card_chargeDeclined', 'generic_decline', 'the bank declined the card'],
    ['pm_card_chargeDeclinedInsufficientFunds', 'insufficient_funds', 'not enough funds'],
    ['pm_card_chargeDeclinedExpiredCard', 'expired_card', 'the card has expired'],
    ['pm_card_authenticationRequired', 'authentication_required', 'confirm this payment yourself'],
  ] as const)('a saved card refused off-session (%s)', (card, code, words) => {
    it('leaves the order owed with a Pay Now link, mails the family once in plain words, and the link pays the order once (M3)', async () => {
      const month = freshMonth();
      const { parent } = await familyWithCard(card);
      const { player } = await startedPlayer({ parent });

      await runs.run(ctx(), month);
      const [order] = await periodOrders([player.id], month);
      expect(order.status).toBe('pending');
      expect(await attempts(order.id)).toEqual([
        expect.objectContaining({ attempt: 1, status: 'failed', decline_code: code }),
      ]);
      const [link] = await activeLinks(order.id);
      expect(link).toBeDefined();
      const mails = await eventually(() => {
        const arrived = mailsTo(parent.email!);
        expect(arrived).toHaveLength(1);
        return arrived;
      });
      expect(mails[0].text.toLowerCase()).toContain(words);
      // The month it bills, in words: a run may bill next month ahead.
      const named = new Intl.DateTimeFormat('en-US', {
        month: 'long',
        year: 'numeric',
        timeZone: 'UTC',
      });
      expect(mails[0].text).toContain(`for ${named.format(new Date(`${month}-01T00:00:00Z`))} at`);
      expect(mails[0].text).toContain(link.url);

      // Run again: nothing new is charged or mailed.
      await runs.run(ctx(), month);
      expect(await attempts(order.id)).toHaveLength(1);

      await stripe.pay(link.stripe_payment_link_id, { card: 'pm_card_visa' });
      await paid(order.id);
      await stripe.waitForDeliveries();
      expect(mailsTo(parent.email!).filter((m) => m.subject.includes('not charged'))).toHaveLength(
        1,
      );
      if (code === 'expired_card') {
        const [saved] = (await t.db.query(
          `SELECT autopay_payment_method_id FROM parents WHERE id = $1`,
          [parent.id],
        )) as { autopay_payment_method_id: string | null }[];
        expect(saved.autopay_payment_method_id).toBeNull();
      }
    });
  });

  it('two owed months of one player both appear in the statement, each with its own working Pay Now link; paying one leaves the other owed (M5)', async () => {
    const first = freshMonth();
    const second = freshMonth();
    const { player } = await startedPlayer();
    await runs.run(ctx(), first);
    await runs.run(ctx(), second);
    const orders = [
      ...(await periodOrders([player.id], first)),
      ...(await periodOrders([player.id], second)),
    ];
    expect(orders).toHaveLength(2);
    const links = [(await activeLinks(orders[0].id))[0], (await activeLinks(orders[1].id))[0]];
    expect(links[0].url).not.toBe(links[1].url);
    const [parentRow] = (await t.db.query(`SELECT email FROM parents WHERE id = $1`, [
      player.parentId,
    ])) as { email: string }[];
    const statement = (
      await admin()
        .get(`/admin/balances/outstanding?email=${encodeURIComponent(parentRow.email)}`)
        .expect(200)
    ).body as { data: { items: { pay_url: string; order_id: number }[] }[] };
    const urls = statement.data.flatMap((family) => family.items.map((item) => item.pay_url));
    expect(urls).toEqual(expect.arrayContaining(links.map((link) => link.url)));

    await stripe.pay(links[0].stripe_payment_link_id, { card: 'pm_card_visa' });
    await paid(orders[0].id);
    const [other] = (await t.db.query(`SELECT status FROM orders WHERE id = $1`, [
      orders[1].id,
    ])) as { status: string }[];
    expect(other.status).toBe('pending');
    expect(await activeLinks(orders[1].id)).toHaveLength(1);
  });

  it('a saved card detached at Stripe makes the next month a Pay Now link with one mail (M7)', async () => {
    const month = freshMonth();
    const { parent, customer } = await familyWithCard();
    const { player } = await startedPlayer({ parent });
    await stripe.detachCard(customer.id);
    await eventually(async () => {
      const [row] = (await t.db.query(
        `SELECT autopay_payment_method_id, card_removed_at FROM parents WHERE id = $1`,
        [parent.id],
      )) as { autopay_payment_method_id: string | null; card_removed_at: Date | null }[];
      expect(row.autopay_payment_method_id).toBeNull();
      expect(row.card_removed_at).not.toBeNull();
    });
    const creates = paymentIntentCreates().length;

    await runs.run(ctx(), month);

    const [order] = await periodOrders([player.id], month);
    expect(paymentIntentCreates().length).toBe(creates);
    expect(await activeLinks(order.id)).toHaveLength(1);
    expect(await attempts(order.id)).toEqual([
      expect.objectContaining({ status: 'failed', decline_code: 'payment_method_removed' }),
    ]);
    const mails = await eventually(() => {
      const arrived = mailsTo(parent.email!);
      expect(arrived).toHaveLength(1);
      return arrived;
    });
    expect(mails[0].text).toContain('no longer saved');
  });

  it('a fee changed between months bills the new fee from the next run; orders already made keep their amount (M8)', async () => {
    const first = freshMonth();
    const second = freshMonth();
    const { player, team } = await startedPlayer();
    await runs.run(ctx(), first);
    await admin().patch(`/admin/teams/${team.id}`).send({ monthly_fee_cents: 14_000 }).expect(200);
    await runs.run(ctx(), second);
    await runs.run(ctx(), first);
    const amounts = [
      ...(await periodOrders([player.id], first)),
      ...(await periodOrders([player.id], second)),
    ].map((order) => order.amount_cents);
    expect(amounts).toEqual([12_500, 14_000]);
  });

  it('autopay off for the family, or for the club, bills the month by Pay Now link instead of the card', async () => {
    const month = freshMonth();
    const { parent } = await familyWithCard();
    const { player } = await startedPlayer({ parent });
    const shown = (await admin().get(`/admin/parents/${parent.id}`).expect(200)).body as {
      card: { brand: string; last4: string };
      autopay: boolean;
    };
    expect(shown.card).toEqual(expect.objectContaining({ brand: 'visa', last4: '4242' }));
    expect(JSON.stringify(shown)).not.toContain('pm_');
    await admin().patch(`/admin/parents/${parent.id}`).send({ autopay: false }).expect(200);
    const creates = paymentIntentCreates().length;

    await runs.run(ctx(), month);

    const [order] = await periodOrders([player.id], month);
    expect(paymentIntentCreates().length).toBe(creates);
    expect(await activeLinks(order.id)).toHaveLength(1);
    expect(await attempts(order.id)).toEqual([]);
  });

  it('POST /admin/orders/:id/charge retries the saved card: ten at once make one PaymentIntent, the order is paid once and its Pay Now link closed', async () => {
    const month = freshMonth();
    const { parent, customer } = await familyWithCard('pm_card_chargeDeclinedInsufficientFunds');
    const { player } = await startedPlayer({ parent });
    await runs.run(ctx(), month);
    const [order] = await periodOrders([player.id], month);
    const [link] = await activeLinks(order.id);
    // The family saves a working card with the club.
    const visa = await sdk.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await t.db.query(`UPDATE parents SET autopay_payment_method_id = $2 WHERE id = $1`, [
      parent.id,
      visa.id,
    ]);
    const creates = paymentIntentCreates().length;

    const answers = await Promise.all(
      Array.from({ length: 10 }, () => admin().post(`/admin/orders/${order.id}/charge`)),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(10).fill(200));
    expect(
      new Set(
        paymentIntentCreates()
          .slice(creates)
          .map((r) => r.idempotencyKey),
      ),
    ).toEqual(new Set([`autopay:${club.tenant.id}:${order.id}:v2`]));
    await paid(order.id);
    expect(await attempts(order.id)).toEqual([
      expect.objectContaining({ attempt: 1, status: 'failed' }),
      expect.objectContaining({ attempt: 2, status: 'succeeded' }),
    ]);
    await eventually(async () => expect(await activeLinks(order.id)).toEqual([]));
    await eventually(async () =>
      expect((await sdk.paymentLinks.retrieve(link.stripe_payment_link_id)).active).toBe(false),
    );
    // Once paid, another click charges nothing: the same answer as the first.
    const after = paymentIntentCreates().length;
    await admin().post(`/admin/orders/${order.id}/charge`).expect(200);
    expect(paymentIntentCreates().length).toBe(after);
  });

  it('a refund of an autopay charge refunds its order, as for a link payment', async () => {
    const month = freshMonth();
    const { parent } = await familyWithCard();
    const { player } = await startedPlayer({ parent });
    await runs.run(ctx(), month);
    const [order] = await periodOrders([player.id], month);
    await paid(order.id);
    const [attempt] = await attempts(order.id);
    await sdk.refunds.create({ payment_intent: attempt.stripe_payment_intent_id! });
    await eventually(async () => {
      const [row] = (await t.db.query(
        `SELECT status, amount_refunded_cents FROM orders WHERE id = $1`,
        [order.id],
      )) as { status: string; amount_refunded_cents: number }[];
      expect(row).toEqual({ status: 'refunded', amount_refunded_cents: 12_500 });
    });
  });

  it('with auto_send_statements, the families still owing get the outstanding-balance statement after the run, once', async () => {
    const month = freshMonth();
    await admin()
      .patch('/admin/club')
      .send({ auto_send_statements: true, quiet_hours: '00:00-00:00' })
      .expect(200);
    const { player } = await startedPlayer();
    const { parent: carded } = await familyWithCard();
    await startedPlayer({ parent: carded });
    const [family] = (await t.db.query(`SELECT email FROM parents WHERE id = $1`, [
      player.parentId,
    ])) as { email: string }[];

    await runs.run(ctx(), month);
    const waiting = (await t.db.query(
      `SELECT id, start_after > now() + interval '9 minutes' AS later FROM pgboss.job
       WHERE name = 'billing.month-statements' AND data->>'tenantId' = $1`,
      [String(club.tenant.id)],
    )) as { id: string; later: boolean }[];
    expect(waiting).toEqual([expect.objectContaining({ later: true })]);

    // Ten minutes on: the job's time has come.
    await t.db.query(`UPDATE pgboss.job SET start_after = now() WHERE id = $1`, [waiting[0].id]);
    const statements = await eventually(() => {
      const arrived = mailsTo(family.email).filter((m) => m.subject.includes('statement'));
      expect(arrived).toHaveLength(1);
      return arrived;
    }, 20_000);
    expect(statements[0].text).toContain('Monthly dues');
    // The carded family was charged: nothing to ask of them.
    await stripe.waitForDeliveries();
    expect(mailsTo(carded.email!).filter((m) => m.subject.includes('statement'))).toEqual([]);
  });

  it('the quarter-hourly tick runs the month of each club whose local billing moment has passed, once', async () => {
    await admin()
      .patch('/admin/club')
      .send({ billing_day: 1, billing_hour_local: 0, timezone: 'Pacific/Kiritimati' })
      .expect(200);
    const { player } = await startedPlayer();
    const month = localNow(new Date(), 'Pacific/Kiritimati').month;
    // A club that joined this month is first billed next month: this one has been here longer.
    await t.db.query(`UPDATE tenants SET created_at = now() - interval '40 days' WHERE id = $1`, [
      club.tenant.id,
    ]);
    const newcomer = await factories(t.db).club({ billingDay: 1, billingHourLocal: 0 });

    await Promise.all([runs.tick(), runs.tick()]);

    const run = await eventually(async () => {
      const [row] = (await t.db.query(
        `SELECT id, status, orders_created FROM billing_runs WHERE tenant_id = $1 AND period = $2`,
        [club.tenant.id, `${month}-01`],
      )) as { id: number; status: string; orders_created: number }[];
      expect(row).toEqual(expect.objectContaining({ status: 'done', orders_created: 1 }));
      return row;
    }, 20_000);
    expect(await periodOrders([player.id], month)).toEqual([
      expect.objectContaining({ billing_run_id: run.id }),
    ]);
    expect(
      await t.db.query(`SELECT 1 FROM billing_runs WHERE tenant_id = $1`, [newcomer.tenant.id]),
    ).toEqual([]);
    await runs.tick();
    const due = (await t.db.query(
      `SELECT count(*)::int AS n FROM billing_runs WHERE tenant_id = $1`,
      [club.tenant.id],
    )) as { n: number }[];
    expect(due[0].n).toBe(1);
  });

  it('POST /admin/billing/runs sent ten times at once starts one run: one order per player, one charge per card; a bad period is a 400 naming it', async () => {
    const month = freshMonth();
    const { parent } = await familyWithCard();
    const carded = await startedPlayer({ parent });
    const linked = await startedPlayer();
    const creates = paymentIntentCreates().length;

    const answers = await Promise.all(
      Array.from({ length: 10 }, () =>
        admin().post('/admin/billing/runs').send({ period: month, dry_run: false }),
      ),
    );
    expect(answers.map((res) => res.status)).toEqual(Array(10).fill(202));
    expect(new Set(answers.map((res) => (res.body as { id: number }).id)).size).toBe(1);
    const orders = await periodOrders([carded.player.id, linked.player.id], month);
    expect(orders.map((o) => o.player_id)).toEqual([carded.player.id, linked.player.id]);
    await paid(orders[0].id);
    await eventually(async () => expect(await activeLinks(orders[1].id)).toHaveLength(1));
    await eventually(async () => {
      const run = (await admin().get(`/admin/billing/runs/${orders[0].billing_run_id}`).expect(200))
        .body as { status: string; orders_created: number };
      expect(run).toEqual(expect.objectContaining({ status: 'done', orders_created: 2 }));
    }, 20_000);
    expect(
      new Set(
        paymentIntentCreates()
          .slice(creates)
          .map((r) => r.idempotencyKey),
      ),
    ).toEqual(new Set([`autopay:${club.tenant.id}:${orders[0].id}:v1`]));

    for (const period of ['2027-13', '2027-1', "2027-01'; DROP TABLE orders;--", 202701, null]) {
      const res = await admin().post('/admin/billing/runs').send({ period }).expect(400);
      expect(JSON.stringify(res.body)).toContain('period');
    }
    await admin().post('/admin/billing/runs').send({ period: month, dry_run: 'yes' }).expect(400);
    await admin().get('/admin/billing/runs/999999').expect(404);
    await admin().post('/admin/orders/999999/charge').expect(404);
  });

  it('a run cut off after writing a charge try and before Stripe answered resumes that try under its key, not a second one', async () => {
    const month = freshMonth();
    const { parent } = await familyWithCard();
    const { player } = await startedPlayer({ parent });
    // The crash: the orders are made and the try is on record, Stripe was never asked.
    await runs.prepare(ctx(), month, true);
    const [order] = await periodOrders([player.id], month);
    const key = `autopay:${club.tenant.id}:${order.id}:v1`;
    await t.db.query(
      `INSERT INTO charge_attempts (tenant_id, order_id, parent_id, attempt, idempotency_key, stripe_payment_method_id)
       SELECT $1, $2, $3, 1, $4, autopay_payment_method_id FROM parents WHERE id = $3`,
      [club.tenant.id, order.id, parent.id, key],
    );

    await runs.run(ctx(), month);

    expect(await attempts(order.id)).toEqual([
      expect.objectContaining({ attempt: 1, status: 'succeeded' }),
    ]);
    await paid(order.id);
  });

  it('signed events it did not make change nothing: a PaymentIntent naming a try that is not on record, a detached card nobody keeps', async () => {
    const month = freshMonth();
    const { player } = await startedPlayer();
    await runs.run(ctx(), month);
    const [order] = await periodOrders([player.id], month);
    for (const attempt of ['1', 'NaN', '-1', '1e3', '99999999999999999999'])
      await postWebhook(
        t,
        craftEvent('payment_intent.succeeded', {
          id: `pi_forged_${attempt.replace(/\W/g, '')}`,
          object: 'payment_intent',
          amount: order.amount_cents,
          amount_received: order.amount_cents,
          currency: 'usd',
          status: 'succeeded',
          metadata: {
            tenant_id: String(club.tenant.id),
            order_id: String(order.id),
            player_id: String(player.id),
            product_id: String(dues.id),
            autopay_attempt: attempt,
          },
        }).body,
      )
        .set('Stripe-Signature', '')
        .then(() => undefined);
    const forged = craftEvent('payment_intent.succeeded', {
      id: 'pi_forged_signed',
      object: 'payment_intent',
      amount: order.amount_cents,
      amount_received: order.amount_cents,
      currency: 'usd',
      metadata: {
        tenant_id: String(club.tenant.id),
        order_id: String(order.id),
        autopay_attempt: '1',
      },
    });
    await postWebhook(t, forged.body, signed(forged.body)).expect(200);
    const detached = craftEvent('payment_method.detached', {
      id: 'pm_nobody_keeps_this',
      object: 'payment_method',
      customer: null,
    });
    await postWebhook(t, detached.body, signed(detached.body)).expect(200);
    const [row] = (await t.db.query(`SELECT status FROM orders WHERE id = $1`, [order.id])) as {
      status: string;
    }[];
    expect(row.status).toBe('pending');
    const outcomes = (await t.db.query(
      `SELECT id, outcome FROM stripe_events WHERE id = ANY($1) ORDER BY id`,
      [[forged.id, detached.id]],
    )) as { id: string; outcome: string }[];
    expect(outcomes.map((o) => o.outcome)).toEqual(['ignored', 'ignored']);
  });
});
