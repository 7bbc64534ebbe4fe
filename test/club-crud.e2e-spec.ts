import { AuditEntry } from '../src/audit/audit-entry.entity';
import { createTestApp, TestApp } from './support/app';
import { factories, TestClub } from './support/factories';

describe('club records CRUD', () => {
  let t: TestApp;
  let club: TestClub;

  beforeAll(async () => {
    t = await createTestApp();
    club = await factories(t.db).club();
  });
  afterAll(() => t.close());

  it('creates, reads, updates, lists and deletes a parent, recording each write in the audit log', async () => {
    const admin = t.as(club.apiKey);
    const created = await admin
      .post('/admin/parents')
      .send({ name: 'Ann Lee', email: 'Ann.Lee@Example.com', phone: '555-0100' })
      .expect(201);
    expect(created.body).toMatchObject({
      name: 'Ann Lee',
      email: 'Ann.Lee@Example.com',
      phone: '555-0100',
    });
    const id = created.body.id as number;

    await admin
      .get(`/admin/parents/${id}`)
      .expect(200)
      .expect((res) => expect(res.body.name).toBe('Ann Lee'));
    const updated = await admin
      .patch(`/admin/parents/${id}`)
      .send({ phone: null, name: 'Ann Lee-Park' })
      .expect(200);
    expect(updated.body).toMatchObject({
      name: 'Ann Lee-Park',
      email: 'Ann.Lee@Example.com',
      phone: null,
    });

    const found = await admin.get('/admin/parents?email=ann.lee@example.com').expect(200);
    expect(found.body).toEqual({ data: [expect.objectContaining({ id })], has_more: false });

    await admin.delete(`/admin/parents/${id}`).expect(204);
    await admin.get(`/admin/parents/${id}`).expect(404);

    const audit = await t.db
      .getRepository(AuditEntry)
      .find({ where: { subject: `parent:${id}` }, order: { id: 'ASC' } });
    expect(audit.map((entry) => entry.action)).toEqual([
      'parent.created',
      'parent.updated',
      'parent.deleted',
    ]);
    expect(
      audit.every(
        (entry) => entry.actor === `api-key:${club.keyPrefix}` && entry.tenantId === club.tenant.id,
      ),
    ).toBe(true);
  });

  it('round-trips a team, a player on it and a product', async () => {
    const admin = t.as(club.apiKey);
    const team = (
      await admin
        .post('/admin/teams')
        .send({ name: 'U12 Boys', season: '2026-27', monthly_fee_cents: 12500 })
        .expect(201)
    ).body;
    const parent = (await admin.post('/admin/parents').send({ name: 'Bo Chen' }).expect(201)).body;
    const player = (
      await admin
        .post('/admin/players')
        .send({
          name: 'Max Chen',
          parent_id: parent.id,
          team_id: team.id,
          contract_status: 'signed',
        })
        .expect(201)
    ).body;
    expect(player).toMatchObject({
      parent_id: parent.id,
      team_id: team.id,
      contract_status: 'signed',
      monthly_fee_cents: null,
    });
    expect(player).not.toHaveProperty('first_payment_token');

    await admin
      .patch(`/admin/players/${player.id}`)
      .send({ monthly_fee_cents: 6000, team_id: null })
      .expect(200)
      .expect((res) => expect(res.body).toMatchObject({ monthly_fee_cents: 6000, team_id: null }));
    await admin
      .patch(`/admin/teams/${team.id}`)
      .send({ monthly_fee_cents: 13000 })
      .expect(200)
      .expect((res) => expect(res.body.monthly_fee_cents).toBe(13000));

    const product = (
      await admin
        .post('/admin/products')
        .send({ name: 'Home jersey', category: 'jersey', price_cents: 4500, currency: 'USD' })
        .expect(201)
    ).body;
    expect(product).toMatchObject({ currency: 'usd', active: true, price_cents: 4500 });
    await admin.patch(`/admin/products/${product.id}`).send({ active: false }).expect(200);
    const active = await admin.get('/admin/products?active=true').expect(200);
    expect(active.body.data.map((p: { id: number }) => p.id)).not.toContain(product.id);

    await admin.delete(`/admin/teams/${team.id}`).expect(204);
  });

  it('refuses to delete a parent who still has players, with a 409', async () => {
    const player = await factories(t.db).player(club.tenant.id);
    const res = await t.as(club.apiKey).delete(`/admin/parents/${player.parentId}`).expect(409);
    expect(res.body).toMatchObject({ statusCode: 409, error: 'conflict' });
  });

  it('creates an order at the product price by default or at a given discount, and keeps it when the price changes', async () => {
    const f = factories(t.db);
    const player = await f.player(club.tenant.id);
    const product = await f.product(club.tenant.id, { priceCents: 12500, category: 'monthly' });
    const admin = t.as(club.apiKey);

    const full = (
      await admin
        .post('/admin/orders')
        .send({ player_id: player.id, product_id: product.id })
        .expect(201)
    ).body;
    expect(full).toMatchObject({
      amount_cents: 12500,
      currency: 'usd',
      status: 'pending',
      parent_id: player.parentId,
      amount_paid_cents: 0,
    });
    const scholarship = (
      await admin
        .post('/admin/orders')
        .send({
          player_id: player.id,
          product_id: product.id,
          amount_cents: 6250,
          notes: 'half scholarship',
        })
        .expect(201)
    ).body;
    expect(scholarship.amount_cents).toBe(6250);

    await admin.patch(`/admin/products/${product.id}`).send({ price_cents: 15000 }).expect(200);
    await admin
      .get(`/admin/orders/${full.id}`)
      .expect(200)
      .expect((res) => expect(res.body.amount_cents).toBe(12500));

    const listed = await admin
      .get(`/admin/orders?player_id=${player.id}&status=pending`)
      .expect(200);
    expect(listed.body.data.map((o: { id: number }) => o.id)).toEqual([full.id, scholarship.id]);
  });

  it('cancels a pending order once; a second cancel is a 409 and a cancelled order keeps its amount', async () => {
    const order = await factories(t.db).order(club.tenant.id);
    const admin = t.as(club.apiKey);
    await admin
      .post(`/admin/orders/${order.id}/cancel`)
      .expect(200)
      .expect((res) => expect(res.body.status).toBe('cancelled'));
    const again = await admin.post(`/admin/orders/${order.id}/cancel`).expect(409);
    expect(again.body.message).toMatch(/cancelled/);
    await admin.patch(`/admin/orders/${order.id}`).send({ amount_cents: 1 }).expect(409);
  });

  it('refuses to change the amount of a paid order or one that has a payment link', async () => {
    const f = factories(t.db);
    const paid = await f.order(club.tenant.id, { status: 'paid', amountPaidCents: 5000 });
    const linked = await f.order(club.tenant.id, { stripePaymentLinkId: 'plink_test_1' });
    const admin = t.as(club.apiKey);
    await admin.patch(`/admin/orders/${paid.id}`).send({ amount_cents: 100 }).expect(409);
    await admin.patch(`/admin/orders/${linked.id}`).send({ amount_cents: 100 }).expect(409);
    await admin
      .patch(`/admin/orders/${linked.id}`)
      .send({ notes: 'called the family' })
      .expect(200);
  });

  it('refuses an order for an archived product', async () => {
    const f = factories(t.db);
    const player = await f.player(club.tenant.id);
    const product = await f.product(club.tenant.id, { active: false });
    const res = await t
      .as(club.apiKey)
      .post('/admin/orders')
      .send({ player_id: player.id, product_id: product.id })
      .expect(409);
    expect(res.body.message).toMatch(/archived/);
  });

  it('pages lists with limit and starting_after until has_more is false', async () => {
    const other = await factories(t.db).club();
    const f = factories(t.db);
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push((await f.team(other.tenant.id)).id);
    const admin = t.as(other.apiKey);
    const first = await admin.get('/admin/teams?limit=2').expect(200);
    expect(first.body).toEqual({
      data: [expect.objectContaining({ id: ids[0] }), expect.objectContaining({ id: ids[1] })],
      has_more: true,
    });
    const last = await admin.get(`/admin/teams?limit=2&starting_after=${ids[3]}`).expect(200);
    expect(last.body).toEqual({ data: [expect.objectContaining({ id: ids[4] })], has_more: false });
  });
});

describe('the club profile', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it("shows and updates the key's own club brand, rejecting a bad colour or a non-https logo", async () => {
    const club = await factories(t.db).club();
    const admin = t.as(club.apiKey);
    await admin
      .get('/admin/club')
      .expect(200)
      .expect((res) =>
        expect(res.body).toMatchObject({ id: club.tenant.id, slug: club.tenant.slug }),
      );
    const updated = await admin
      .patch('/admin/club')
      .send({
        brand_primary_color: '#112233',
        logo_url: 'https://club.example/logo.png',
        reply_to: 'treasurer@club.example',
        timezone: 'America/Chicago',
      })
      .expect(200);
    expect(updated.body).toMatchObject({
      brand_primary_color: '#112233',
      logo_url: 'https://club.example/logo.png',
      timezone: 'America/Chicago',
    });
    const bad = await admin
      .patch('/admin/club')
      .send({
        brand_accent_color: 'red',
        logo_url: 'http://club.example/logo.png',
        timezone: 'Mars/Base',
      })
      .expect(400);
    expect(bad.body.details.map((d: { field: string }) => d.field).sort()).toEqual([
      'brand_accent_color',
      'logo_url',
      'timezone',
    ]);
  });
});
