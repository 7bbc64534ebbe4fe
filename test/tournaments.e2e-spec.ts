import type { StripeEmulator } from '../src/stripe-emulator';
import type { TestApp } from './support/app';
import { eventually } from './support/eventually';
import { factories, TestClub } from './support/factories';
import { withStripeApp } from './support/stripe';

interface CheckoutItem {
  player_id: number;
  team_id: number;
  order_id: number;
  order_status: string;
  link: { id: number; url: string; stripe_payment_link_id: string; status: string } | null;
  created: boolean;
}
interface CheckoutRun {
  data: CheckoutItem[];
  cancelled: { player_id: number; order_id: number; deactivated_link_id: number | null }[];
  skipped: { player_id: number; reason: string }[];
}

describe('tournaments: one fee order and pay link per committed player', () => {
  let stripe: StripeEmulator;
  let t: TestApp;

  withStripeApp((made) => ({ stripe, t } = made));

  /** A club with a tournament, one team playing for a $75 fee, and three players on it. */
  async function tournamentWithTeam() {
    const f = factories(t.db);
    const club = await f.club();
    const tenantId = club.tenant.id;
    const team = await f.team(tenantId, { name: 'U12 Girls' });
    const fee = await f.product(tenantId, {
      name: 'Winter Classic fee',
      category: 'tournament',
      priceCents: 7_500,
    });
    const parent = await f.parent(tenantId, { name: 'Avery Lee' });
    const players = [
      await f.player(tenantId, { parentId: parent.id, teamId: team.id, name: 'Maya Lee' }),
      await f.player(tenantId, { parentId: parent.id, teamId: team.id, name: 'Noa Lee' }),
      await f.player(tenantId, { teamId: team.id, name: 'Zoe Park' }),
    ];
    const tournament = (
      await t
        .as(club.apiKey)
        .post('/admin/tournaments')
        .send({ name: 'Winter Classic', starts_on: '2026-12-05', location: 'Civic Arena' })
        .expect(201)
    ).body as { id: number };
    await t
      .as(club.apiKey)
      .post(`/admin/tournaments/${tournament.id}/teams`)
      .send({ team_id: team.id, product_id: fee.id })
      .expect(200);
    return { club, team, fee, parent, players, tournament };
  }

  const answer = (club: TestClub, tournamentId: number, playerId: number, status: string) =>
    t
      .as(club.apiKey)
      .post(`/admin/tournaments/${tournamentId}/commitments`)
      .send({ player_id: playerId, status })
      .expect(200);
  const checkoutLinks = async (club: TestClub, tournamentId: number) => {
    const res = await t.as(club.apiKey).post(`/admin/tournaments/${tournamentId}/checkout-links`);
    const run = res.body as CheckoutRun;
    // 201 when the run made an order or a link, 200 when every one already existed.
    expect(res.status).toBe(run.data?.some((item) => item.created) ? 201 : 200);
    return run;
  };
  const ordersOf = async (club: TestClub, playerId: number) =>
    (await t.as(club.apiKey).get(`/admin/orders?player_id=${playerId}`).expect(200)).body.data as {
      id: number;
      status: string;
      amount_cents: number;
    }[];
  const linkCreations = () =>
    stripe.requests.filter((r) => r.method === 'POST' && r.path === '/v1/payment_links').length;

  it('creates, reads, lists, updates and deletes a tournament with its teams and commitments', async () => {
    const { club, team, fee, players, tournament } = await tournamentWithTeam();
    const api = t.as(club.apiKey);
    expect((await api.get(`/admin/tournaments/${tournament.id}`).expect(200)).body).toMatchObject({
      name: 'Winter Classic',
      starts_on: '2026-12-05',
      location: 'Civic Arena',
    });
    await api
      .patch(`/admin/tournaments/${tournament.id}`)
      .send({ location: 'Eastside Gym' })
      .expect(200);
    const list = (await api.get('/admin/tournaments').expect(200)).body;
    expect(list).toEqual({
      data: [expect.objectContaining({ id: tournament.id, location: 'Eastside Gym' })],
      has_more: false,
    });
    expect((await api.get(`/admin/tournaments/${tournament.id}/teams`).expect(200)).body).toEqual([
      expect.objectContaining({ team_id: team.id, product_id: fee.id }),
    ]);

    await answer(club, tournament.id, players[0].id, 'committed');
    await answer(club, tournament.id, players[0].id, 'declined');
    expect(
      (await api.get(`/admin/tournaments/${tournament.id}/commitments`).expect(200)).body,
    ).toEqual([expect.objectContaining({ player_id: players[0].id, status: 'declined' })]);

    await api.delete(`/admin/tournaments/${tournament.id}/teams/${team.id}`).expect(204);
    expect((await api.get(`/admin/tournaments/${tournament.id}/teams`).expect(200)).body).toEqual(
      [],
    );
    await api.delete(`/admin/tournaments/${tournament.id}`).expect(204);
    await api.get(`/admin/tournaments/${tournament.id}`).expect(404);
  });

  it('rejects a tournament without a valid start date', async () => {
    const club = await factories(t.db).club();
    await t
      .as(club.apiKey)
      .post('/admin/tournaments')
      .send({ name: 'Bad date', starts_on: '5/12/2026' })
      .expect(400);
  });

  it('makes one pending order and pay link per committed player and none for a player who declined', async () => {
    const { club, fee, players, tournament } = await tournamentWithTeam();
    await answer(club, tournament.id, players[0].id, 'committed');
    await answer(club, tournament.id, players[1].id, 'committed');
    await answer(club, tournament.id, players[2].id, 'declined');

    const run = await checkoutLinks(club, tournament.id);
    expect(run.data.map((item) => item.player_id).sort()).toEqual(
      [players[0].id, players[1].id].sort(),
    );
    for (const item of run.data) {
      expect(item).toMatchObject({ order_status: 'pending', created: true });
      expect(item.link).toMatchObject({ status: 'active', order_id: item.order_id });
      expect(await ordersOf(club, item.player_id)).toEqual([
        expect.objectContaining({ id: item.order_id, amount_cents: 7_500, product_id: fee.id }),
      ]);
    }
    expect(await ordersOf(club, players[2].id)).toEqual([]);
  });

  it('run twice returns the same orders and links and makes no new Stripe link', async () => {
    const { club, players, tournament } = await tournamentWithTeam();
    for (const player of players) await answer(club, tournament.id, player.id, 'committed');
    const first = await checkoutLinks(club, tournament.id);
    const linksBefore = linkCreations();

    const second = await checkoutLinks(club, tournament.id);
    expect(linkCreations()).toBe(linksBefore);
    expect(second.data.map((item) => [item.order_id, item.link?.id, item.link?.url])).toEqual(
      first.data.map((item) => [item.order_id, item.link?.id, item.link?.url]),
    );
    expect(second.data.every((item) => !item.created)).toBe(true);
    for (const player of players) expect(await ordersOf(club, player.id)).toHaveLength(1);
  });

  it('a run interrupted after making an order but before recording it is finished by the next run without a second order', async () => {
    const { club, fee, players, tournament } = await tournamentWithTeam();
    await answer(club, tournament.id, players[0].id, 'committed');
    // What an interrupted run leaves: the player's fee order exists, tournament_orders knows nothing.
    const orphan = await factories(t.db).order(club.tenant.id, {
      playerId: players[0].id,
      productId: fee.id,
      amountCents: 7_500,
    });
    const run = await checkoutLinks(club, tournament.id);
    expect(run.data.map((item) => item.order_id)).toEqual([orphan.id]);
    expect(await ordersOf(club, players[0].id)).toHaveLength(1);
  });

  it('run concurrently twice creates one order per player', async () => {
    const { club, players, tournament } = await tournamentWithTeam();
    for (const player of players) await answer(club, tournament.id, player.id, 'committed');
    const [a, b] = await Promise.all([
      checkoutLinks(club, tournament.id),
      checkoutLinks(club, tournament.id),
    ]);
    expect(a.data.map((item) => item.link?.url)).toEqual(b.data.map((item) => item.link?.url));
    for (const player of players) expect(await ordersOf(club, player.id)).toHaveLength(1);
  });

  it('a player who declines afterwards has the pending order cancelled and the link deactivated', async () => {
    const { club, players, tournament } = await tournamentWithTeam();
    await answer(club, tournament.id, players[0].id, 'committed');
    await answer(club, tournament.id, players[1].id, 'committed');
    const first = await checkoutLinks(club, tournament.id);
    const maya = first.data.find((item) => item.player_id === players[0].id)!;

    await answer(club, tournament.id, players[0].id, 'declined');
    const second = await checkoutLinks(club, tournament.id);
    expect(second.cancelled).toEqual([
      { player_id: players[0].id, order_id: maya.order_id, deactivated_link_id: maya.link!.id },
    ]);
    expect(second.data.map((item) => item.player_id)).toEqual([players[1].id]);
    expect(await ordersOf(club, players[0].id)).toEqual([
      expect.objectContaining({ id: maya.order_id, status: 'cancelled' }),
    ]);
    const link = (await t.as(club.apiKey).get(`/admin/payment-links/${maya.link!.id}`).expect(200))
      .body;
    expect(link).toMatchObject({ status: 'deactivated', deactivated_at: expect.any(String) });

    const third = await checkoutLinks(club, tournament.id);
    expect(third.cancelled).toEqual([]);
  });

  it('reports per team and player who committed, order status, paid amount and link, with totals, after one player paid', async () => {
    const { club, team, players, tournament } = await tournamentWithTeam();
    await answer(club, tournament.id, players[0].id, 'committed');
    await answer(club, tournament.id, players[1].id, 'committed');
    await answer(club, tournament.id, players[2].id, 'declined');
    const run = await checkoutLinks(club, tournament.id);
    const maya = run.data.find((item) => item.player_id === players[0].id)!;
    const noa = run.data.find((item) => item.player_id === players[1].id)!;

    await stripe.pay(maya.link!.stripe_payment_link_id);
    await stripe.waitForDeliveries();
    await eventually(async () =>
      expect(await ordersOf(club, players[0].id)).toEqual([
        expect.objectContaining({ status: 'paid' }),
      ]),
    );

    const report = (
      await t.as(club.apiKey).get(`/admin/tournaments/${tournament.id}/billing`).expect(200)
    ).body;
    expect(report.teams).toHaveLength(1);
    expect(report.teams[0]).toMatchObject({ team_id: team.id, team_name: 'U12 Girls' });
    const byPlayer = Object.fromEntries(
      report.teams[0].players.map((row: { player_id: number }) => [row.player_id, row]),
    );
    expect(byPlayer[players[0].id]).toMatchObject({
      committed: true,
      order_id: maya.order_id,
      order_status: 'paid',
      paid_cents: 7_500,
      link_url: maya.link!.url,
    });
    expect(byPlayer[players[1].id]).toMatchObject({
      committed: true,
      order_status: 'pending',
      paid_cents: 0,
      link_url: noa.link!.url,
    });
    expect(byPlayer[players[2].id]).toMatchObject({
      committed: false,
      commitment: 'declined',
      order_id: null,
      paid_cents: 0,
      link_url: null,
    });
    expect(report.totals).toEqual({
      players: 3,
      committed: 2,
      declined: 1,
      orders: 2,
      billed_cents: 15_000,
      paid_cents: 7_500,
      outstanding_cents: 7_500,
    });
  });

  it("answers 404 to another club's tournament on every tournament route", async () => {
    const mine = await tournamentWithTeam();
    const theirs = await tournamentWithTeam();
    const api = t.as(mine.club.apiKey);
    const id = theirs.tournament.id;
    await api.get(`/admin/tournaments/${id}`).expect(404);
    await api.patch(`/admin/tournaments/${id}`).send({ name: 'Mine now' }).expect(404);
    await api.get(`/admin/tournaments/${id}/teams`).expect(404);
    await api
      .post(`/admin/tournaments/${id}/teams`)
      .send({ team_id: mine.team.id, product_id: mine.fee.id })
      .expect(404);
    await api.delete(`/admin/tournaments/${id}/teams/${theirs.team.id}`).expect(404);
    await api.get(`/admin/tournaments/${id}/commitments`).expect(404);
    await api
      .post(`/admin/tournaments/${id}/commitments`)
      .send({ player_id: mine.players[0].id, status: 'committed' })
      .expect(404);
    await api.post(`/admin/tournaments/${id}/checkout-links`).expect(404);
    await api.get(`/admin/tournaments/${id}/billing`).expect(404);
    await api.delete(`/admin/tournaments/${id}`).expect(404);
    // Their players and teams cannot be put into my tournament either.
    await api
      .post(`/admin/tournaments/${mine.tournament.id}/commitments`)
      .send({ player_id: theirs.players[0].id, status: 'committed' })
      .expect(404);
    await api
      .post(`/admin/tournaments/${mine.tournament.id}/teams`)
      .send({ team_id: theirs.team.id, product_id: mine.fee.id })
      .expect(404);
    await t.as(theirs.club.apiKey).get(`/admin/tournaments/${id}`).expect(200);
  });

  it('the tournament_committed blast preview lists each committed player’s fee and pay link per family', async () => {
    const { club, parent, players, tournament } = await tournamentWithTeam();
    await answer(club, tournament.id, players[0].id, 'committed');
    await answer(club, tournament.id, players[1].id, 'committed');
    const run = await checkoutLinks(club, tournament.id);
    // Zoe commits after the links were made: her family has nothing to pay yet.
    await answer(club, tournament.id, players[2].id, 'committed');

    const preview = (
      await t
        .as(club.apiKey)
        .post('/admin/email/blasts')
        .send({ query: 'tournament_committed', params: { tournament_id: tournament.id } })
        .expect(201)
    ).body as {
      recipient_count: number;
      skipped: { parent_id: number; reason: string }[];
      sample: { parent_id: number; html: string; text: string } | null;
    };
    expect(preview.recipient_count).toBe(1);
    expect(preview.skipped).toEqual([
      expect.objectContaining({ parent_id: players[2].parentId, reason: 'no_tournament_order' }),
    ]);
    expect(preview.sample?.parent_id).toBe(parent.id);
    for (const item of run.data) expect(preview.sample?.text).toContain(item.link!.url);
    expect(preview.sample?.text).toContain('Maya Lee');
    expect(preview.sample?.text).toContain('Noa Lee');
    expect(preview.sample?.text).toContain('$150.00');

    const other = await factories(t.db).club();
    await t
      .as(other.apiKey)
      .post('/admin/email/blasts')
      .send({ query: 'tournament_committed', params: { tournament_id: tournament.id } })
      .expect(404);
  });
});
