import type Stripe from 'stripe';
import { addMonths, localNow } from '../src/common/month/billing-month';
import type { Order } from '../src/orders/entities/order.entity';
import type { Tenant } from '../src/club/entities/tenant.entity';
import type { StripeEmulator } from '../src/stripe-emulator';
import { mintLink, sdkClient } from '../src/stripe-emulator/testing/sdk-client';
import type { TestApp } from './support/app';
import { eventually } from './support/eventually';
import { factories, TestClub } from './support/factories';
import { orderRow } from './support/rows';
import { withStripeApp } from './support/stripe';

/** M4 (monthly-cycle.md §3): what terminating a contract does to the family's bill. */
describe('contracts that end', () => {
  let stripe: StripeEmulator;
  let t: TestApp;
  let sdk: Stripe;

  withStripeApp((made) => ({ stripe, t } = made));
  beforeAll(() => {
    sdk = sdkClient(stripe);
  });

  const f = () => factories(t.db);

  /** A club of its own per test, so its statement and blasts show only that test's families. */
  async function newClub(overrides: Partial<Tenant> = {}) {
    const club = await f().club(overrides);
    const monthly = await f().product(club.tenant.id, {
      name: 'Monthly dues',
      category: 'monthly',
      priceCents: 12_500,
    });
    const team = await f().team(club.tenant.id, { monthlyFeeCents: 12_500 });
    return { ...club, monthly, team };
  }
  type Club = Awaited<ReturnType<typeof newClub>>;

  /** The club's local month now, `YYYY-MM`, and a month `offset` months from it as a billing period. */
  const monthNow = (club: TestClub) => localNow(new Date(), club.tenant.timezone).month;
  const period = (club: TestClub, offset: number) => `${addMonths(monthNow(club), offset)}-01`;

  async function signedPlayer(club: Club, parentId?: number) {
    return f().player(club.tenant.id, {
      teamId: club.team.id,
      contractStatus: 'signed',
      ...(parentId && { parentId }),
    });
  }

  const monthOrder = (
    club: Club,
    playerId: number,
    offset: number | null,
    overrides: Partial<Order> = {},
  ) =>
    f().order(club.tenant.id, {
      playerId,
      productId: club.monthly.id,
      amountCents: 12_500,
      billingPeriod: offset === null ? null : period(club, offset),
      ...overrides,
    });

  /** A real pay link at the Stripe emulator, recorded as the order's active link. */
  async function liveLink(order: Order) {
    const made = await mintLink(sdk, {
      amount: order.amountCents,
      metadata: {
        tenant_id: String(order.tenantId),
        order_id: String(order.id),
        player_id: String(order.playerId),
        product_id: String(order.productId),
      },
    });
    return f().paymentLink(order, { stripePaymentLinkId: made.id, url: made.url });
  }

  const terminate = (club: TestClub, playerId: number) =>
    t.as(club.apiKey).patch(`/admin/players/${playerId}`).send({ contract_status: 'terminated' });

  const statusOf = async (orderId: number) => (await orderRow(t.db, orderId)).status;
  const linkStatus = async (stripePaymentLinkId: string) =>
    (
      (await t.db.query('SELECT status FROM payment_links WHERE stripe_payment_link_id = $1', [
        stripePaymentLinkId,
      ])) as { status: string }[]
    )[0].status;
  const activeAtStripe = async (stripePaymentLinkId: string) =>
    (await sdk.paymentLinks.retrieve(stripePaymentLinkId)).active;

  const statementOrders = async (club: TestClub) =>
    (
      (await t.as(club.apiKey).get('/admin/balances/outstanding').expect(200)).body.data as {
        items: { order_id: number }[];
      }[]
    ).flatMap((family) => family.items.map((item) => item.order_id));

  /** How many families a blast of `query` would mail now (its preview). */
  const blastRecipients = async (club: TestClub, query: string) =>
    (await t.as(club.apiKey).post('/admin/email/blasts').send({ query }).expect(201)).body
      .recipient_count as number;

  const cancelAudits = async (orderId: number) =>
    (await t.db.query(
      `SELECT data FROM audit_log WHERE action = 'order.cancelled' AND subject = $1`,
      [`order:${orderId}`],
    )) as { data: Record<string, unknown> }[];

  it('a contract terminated mid-season cancels the unpaid future months and closes their links at Stripe', async () => {
    const club = await newClub();
    const player = await signedPlayer(club);
    await monthOrder(club, player.id, -2, { status: 'paid', amountPaidCents: 12_500 });
    const lastMonth = await monthOrder(club, player.id, -1);
    const lastMonthLink = await liveLink(lastMonth);
    const thisMonth = await monthOrder(club, player.id, 0);
    const thisMonthLink = await liveLink(thisMonth);
    const nextMonth = await monthOrder(club, player.id, 1);
    const nextMonthLink = await liveLink(nextMonth);
    const inTwoMonths = await monthOrder(club, player.id, 2, { status: 'failed' });
    const prepaid = await monthOrder(club, player.id, 3, {
      status: 'paid',
      amountPaidCents: 12_500,
    });

    const res = await terminate(club, player.id).expect(200);
    expect(res.body).toMatchObject({
      contract_status: 'terminated',
      contract_ended_on: localNow(new Date(), club.tenant.timezone).date,
    });

    expect(await statusOf(nextMonth.id)).toBe('cancelled');
    expect(await statusOf(inTwoMonths.id)).toBe('cancelled');
    expect(await linkStatus(nextMonthLink.stripePaymentLinkId)).toBe('deactivated');
    await eventually(async () =>
      expect(await activeAtStripe(nextMonthLink.stripePaymentLinkId)).toBe(false),
    );
    // The months played stay owed, with links that still take the payment; money paid stays.
    expect(await statusOf(lastMonth.id)).toBe('pending');
    expect(await statusOf(thisMonth.id)).toBe('pending');
    expect(await statusOf(prepaid.id)).toBe('paid');
    expect(await linkStatus(lastMonthLink.stripePaymentLinkId)).toBe('active');
    expect(await activeAtStripe(thisMonthLink.stripePaymentLinkId)).toBe(true);
    expect((await statementOrders(club)).sort()).toEqual([lastMonth.id, thisMonth.id].sort());
    expect(await cancelAudits(nextMonth.id)).toEqual([
      {
        data: expect.objectContaining({
          from: 'pending',
          reason: 'contract_ended',
          billing_period: period(club, 1),
        }),
      },
    ]);
    expect(await cancelAudits(inTwoMonths.id)).toEqual([
      { data: expect.objectContaining({ from: 'failed', reason: 'contract_ended' }) },
    ]);
  });

  it("a never-started player's first-month order is cancelled and gone from the statement and every blast", async () => {
    const club = await newClub();
    const player = await signedPlayer(club);
    // The first-payment link's order: the monthly product, no billing period.
    const firstMonth = await monthOrder(club, player.id, null);
    const link = await liveLink(firstMonth);
    expect(await statementOrders(club)).toEqual([firstMonth.id]);
    expect(await blastRecipients(club, 'outstanding_balances')).toBe(1);
    expect(await blastRecipients(club, 'first_payment')).toBe(1);

    await terminate(club, player.id).expect(200);

    expect(await statusOf(firstMonth.id)).toBe('cancelled');
    expect(await linkStatus(link.stripePaymentLinkId)).toBe('deactivated');
    await eventually(async () =>
      expect(await activeAtStripe(link.stripePaymentLinkId)).toBe(false),
    );
    expect(await statementOrders(club)).toEqual([]);
    expect(await blastRecipients(club, 'outstanding_balances')).toBe(0);
    expect(await blastRecipients(club, 'first_payment')).toBe(0);
    expect(await cancelAudits(firstMonth.id)).toEqual([
      { data: expect.objectContaining({ reason: 'contract_ended_never_started' }) },
    ]);
  });

  it('owed past months and tournament fees stay owed', async () => {
    const club = await newClub();
    const tournamentFee = await f().product(club.tenant.id, {
      name: 'Winter Classic',
      category: 'tournament',
    });
    const kit = await f().product(club.tenant.id, { name: 'Kit' });
    // A player who started (paid their first month) and still owes two months played.
    const started = await signedPlayer(club);
    await monthOrder(club, started.id, -2, { status: 'paid', amountPaidCents: 12_500 });
    const owedPast = await monthOrder(club, started.id, -1);
    const owedNow = await monthOrder(club, started.id, 0);
    const tournament = await f().order(club.tenant.id, {
      playerId: started.id,
      productId: tournamentFee.id,
    });
    const kitOrder = await f().order(club.tenant.id, { playerId: started.id, productId: kit.id });
    const links = await Promise.all(
      [owedPast, owedNow, tournament, kitOrder].map((order) => liveLink(order)),
    );
    // A player who never paid anything: only the first month goes, the tournament fee stays.
    const neverStarted = await signedPlayer(club);
    const firstMonth = await monthOrder(club, neverStarted.id, null);
    const theirTournament = await f().order(club.tenant.id, {
      playerId: neverStarted.id,
      productId: tournamentFee.id,
    });

    await terminate(club, started.id).expect(200);
    await terminate(club, neverStarted.id).expect(200);

    for (const order of [owedPast, owedNow, tournament, kitOrder, theirTournament])
      expect(await statusOf(order.id)).toBe('pending');
    for (const link of links) expect(await linkStatus(link.stripePaymentLinkId)).toBe('active');
    expect(await statusOf(firstMonth.id)).toBe('cancelled');
    expect((await statementOrders(club)).sort()).toEqual(
      [owedPast.id, owedNow.id, tournament.id, kitOrder.id].sort(),
    );
  });

  it('a player who paid any item (a tournament fee) has started: their owed first month stays owed', async () => {
    const club = await newClub();
    const tournamentFee = await f().product(club.tenant.id, { category: 'tournament' });
    const player = await signedPlayer(club);
    await f().order(club.tenant.id, {
      playerId: player.id,
      productId: tournamentFee.id,
      status: 'paid',
      amountPaidCents: 5_000,
    });
    const firstMonth = await monthOrder(club, player.id, 0);

    await terminate(club, player.id).expect(200);

    expect(await statusOf(firstMonth.id)).toBe('pending');
  });

  it('the roster import terminating contracts does the same, in one import', async () => {
    const club = await newClub();
    const parent = await f().parent(club.tenant.id, {
      name: 'Ann Lee',
      email: 'ann@families.example',
    });
    const started = await f().player(club.tenant.id, {
      parentId: parent.id,
      name: 'Max Lee',
      contractStatus: 'signed',
    });
    await monthOrder(club, started.id, -1, { status: 'paid', amountPaidCents: 12_500 });
    const owedNow = await monthOrder(club, started.id, 0);
    const nextMonth = await monthOrder(club, started.id, 1);
    const nextMonthLink = await liveLink(nextMonth);
    const neverStarted = await f().player(club.tenant.id, {
      parentId: parent.id,
      name: 'Mia Lee',
      contractStatus: 'signed',
    });
    const firstMonth = await monthOrder(club, neverStarted.id, null);
    const firstMonthLink = await liveLink(firstMonth);
    const csv = [
      'parent_name,parent_email,player_name,contract_status',
      'Ann Lee,ann@families.example,Max Lee,terminated',
      'Ann Lee,ann@families.example,Mia Lee,terminated',
    ].join('\n');

    const importCsv = () =>
      t
        .as(club.apiKey)
        .post('/admin/roster/import')
        .set('Content-Type', 'text/csv')
        .send(csv)
        .expect(200);
    expect((await importCsv()).body.updated.players).toBe(2);

    expect(await statusOf(nextMonth.id)).toBe('cancelled');
    expect(await statusOf(firstMonth.id)).toBe('cancelled');
    expect(await statusOf(owedNow.id)).toBe('pending');
    for (const link of [nextMonthLink, firstMonthLink]) {
      expect(await linkStatus(link.stripePaymentLinkId)).toBe('deactivated');
      await eventually(async () =>
        expect(await activeAtStripe(link.stripePaymentLinkId)).toBe(false),
      );
    }
    const today = localNow(new Date(), club.tenant.timezone).date;
    const players = (
      await t.as(club.apiKey).get(`/admin/players?parent_id=${parent.id}`).expect(200)
    ).body.data as { contract_status: string; contract_ended_on: string }[];
    expect(players).toEqual([
      expect.objectContaining({ contract_status: 'terminated', contract_ended_on: today }),
      expect.objectContaining({ contract_status: 'terminated', contract_ended_on: today }),
    ]);

    // The same file again changes nothing.
    expect((await importCsv()).body).toMatchObject({ unchanged_rows: 2 });
    expect(await cancelAudits(nextMonth.id)).toHaveLength(1);
    expect(await cancelAudits(firstMonth.id)).toHaveLength(1);
  });

  it("records the contract's dates on the club's local calendar, for PATCH and the roster import", async () => {
    // Kiritimati (UTC+14) and Pago Pago (UTC−11) are never on the same date, so at least one
    // of them is not on UTC's date at any moment.
    for (const timezone of ['Pacific/Kiritimati', 'Pacific/Pago_Pago']) {
      const club = await newClub({ timezone });
      const localToday = () => localNow(new Date(), timezone).date;
      const player = await f().player(club.tenant.id, { contractStatus: 'pending' });

      const before = localToday();
      const signed = (
        await t
          .as(club.apiKey)
          .patch(`/admin/players/${player.id}`)
          .send({ contract_status: 'signed' })
          .expect(200)
      ).body;
      expect([before, localToday()]).toContain(signed.contract_signed_on);
      expect(signed.contract_ended_on).toBeNull();

      const ended = (await terminate(club, player.id).expect(200)).body;
      expect([before, localToday()]).toContain(ended.contract_ended_on);
      expect(ended.contract_signed_on).toBe(signed.contract_signed_on);

      const parent = await f().parent(club.tenant.id);
      await t
        .as(club.apiKey)
        .post('/admin/roster/import')
        .set('Content-Type', 'text/csv')
        .send(
          `parent_name,parent_email,player_name,contract_status\n${parent.name},${parent.email},Kai,signed`,
        )
        .expect(200);
      const [imported] = (
        await t.as(club.apiKey).get(`/admin/players?parent_id=${parent.id}`).expect(200)
      ).body.data as { contract_signed_on: string }[];
      expect([before, localToday()]).toContain(imported.contract_signed_on);

      const created = (
        await t
          .as(club.apiKey)
          .post('/admin/players')
          .send({ name: 'Noa', parent_id: parent.id, contract_status: 'signed' })
          .expect(201)
      ).body;
      expect([before, localToday()]).toContain(created.contract_signed_on);
    }
  });

  it('the contract dates are read-only in the API', async () => {
    const club = await newClub();
    const player = await signedPlayer(club);
    await t
      .as(club.apiKey)
      .patch(`/admin/players/${player.id}`)
      .send({ contract_ended_on: '2020-01-01' })
      .expect(400);
  });

  it('terminating twice changes things once: the first end date stays, nothing is cancelled again', async () => {
    const club = await newClub();
    const player = await signedPlayer(club);
    const nextMonth = await monthOrder(club, player.id, 1);
    await terminate(club, player.id).expect(200);
    await t.db.query(`UPDATE players SET contract_ended_on = '2026-01-15' WHERE id = $1`, [
      player.id,
    ]);
    // An order made after the end (by hand) is not the termination's to cancel.
    const madeLater = await monthOrder(club, player.id, 2);

    const again = await terminate(club, player.id).expect(200);

    expect(again.body.contract_ended_on).toBe('2026-01-15');
    expect(await statusOf(madeLater.id)).toBe('pending');
    expect(await cancelAudits(nextMonth.id)).toHaveLength(1);
  });

  it('10 terminations of one player at once end the contract once, with no error', async () => {
    const club = await newClub();
    const player = await signedPlayer(club);
    await monthOrder(club, player.id, 0, { status: 'paid', amountPaidCents: 12_500 });
    const nextMonth = await monthOrder(club, player.id, 1);
    const link = await liveLink(nextMonth);
    const deactivations = () =>
      stripe.requests.filter(
        (r) =>
          r.method === 'POST' &&
          r.path === `/v1/payment_links/${link.stripePaymentLinkId}` &&
          r.params.active === 'false',
      ).length;

    const answers = await Promise.all(
      Array.from({ length: 10 }, async () => (await terminate(club, player.id)).status),
    );

    expect(answers).toEqual(Array(10).fill(200));
    expect(await statusOf(nextMonth.id)).toBe('cancelled');
    expect(await cancelAudits(nextMonth.id)).toHaveLength(1);
    await eventually(async () =>
      expect(await activeAtStripe(link.stripePaymentLinkId)).toBe(false),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(deactivations()).toBe(1);
  });
});
