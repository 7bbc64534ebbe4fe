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
import { factories, TestClub } from './support/factories';
import { ORDER_TABLES, rowCounts } from './support/rows';
import { SmtpSink } from './support/smtp-sink';
import { stripeWrites, withStripeApp } from './support/stripe';

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
  beforeAll(async () => {
    sdk = sdkClient(stripe);
    runs = t.app.get(MonthRunService);
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
});
