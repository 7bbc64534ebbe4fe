import { parse } from 'csv-parse/sync';
import { createTestApp, TestApp } from './support/app';
import { factories, OwedItem, TestClub } from './support/factories';

describe('outstanding balances statement', () => {
  let t: TestApp;
  let club: TestClub;

  beforeAll(async () => {
    t = await createTestApp();
    club = await factories(t.db).club();
  });
  afterAll(() => t.close());

  /** A family owing items, each with an active pay link (made without Stripe). */
  const familyOwing = (items: OwedItem[], email: string | null) =>
    factories(t.db).familyOwing(club.tenant.id, items, { email });

  const statements = async (query = '') =>
    (await t.as(club.apiKey).get(`/admin/balances/outstanding${query}`).expect(200)).body.data;

  it('groups two players of one parent into one statement and two parents into two, with totals and Pay Now links', async () => {
    const lee = await familyOwing(
      [
        { player: 'Max Lee', product: 'Monthly dues', amountCents: 12500 },
        { player: 'Mia Lee', product: 'Home jersey', amountCents: 4500 },
      ],
      'lee@families.example',
    );
    const chen = await familyOwing(
      [{ player: 'Sam Chen', product: 'Spring tryout', amountCents: 2500 }],
      'chen@families.example',
    );
    const data = await statements();
    const byParent = new Map(data.map((s: { parent_id: number }) => [s.parent_id, s]));
    expect(byParent.get(lee.parent.id)).toMatchObject({
      email: 'lee@families.example',
      items: [
        {
          player_name: 'Max Lee',
          item: 'Monthly dues',
          amount_cents: 12500,
          currency: 'usd',
          pay_url: lee.links[0].url,
        },
        {
          player_name: 'Mia Lee',
          item: 'Home jersey',
          amount_cents: 4500,
          currency: 'usd',
          pay_url: lee.links[1].url,
        },
      ],
      totals: [{ currency: 'usd', amount_cents: 17000 }],
      digest: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(byParent.get(chen.parent.id)).toMatchObject({
      items: [{ player_name: 'Sam Chen', amount_cents: 2500 }],
      totals: [{ amount_cents: 2500 }],
    });
  });

  it('drops a paid item from the next statement and changes its digest', async () => {
    const family = await familyOwing(
      [
        { player: 'Ava Fox', product: 'Monthly dues', amountCents: 9000 },
        { player: 'Ava Fox', product: 'Tournament fee', amountCents: 6000 },
      ],
      'fox@families.example',
    );
    const [before] = await statements('?email=FOX@families.example');
    await t.db.query(`UPDATE orders SET status = 'paid' WHERE id = $1`, [family.links[0].orderId]);
    const [after] = await statements('?email=fox@families.example');
    expect(after.items.map((i: { item: string }) => i.item)).toEqual(['Tournament fee']);
    expect(after.totals).toEqual([{ currency: 'usd', amount_cents: 6000 }]);
    expect(after.digest).not.toBe(before.digest);
  });

  it("includes a family without an email (the blast skips it) and never another club's rows", async () => {
    const noEmail = await familyOwing(
      [{ player: 'Eli Moss', product: 'Jersey', amountCents: 4000 }],
      null,
    );
    const other = await factories(t.db).club();
    const otherOrder = await factories(t.db).order(other.tenant.id);
    await factories(t.db).paymentLink(otherOrder);
    const data = await statements();
    expect(
      data.find((s: { parent_id: number }) => s.parent_id === noEmail.parent.id),
    ).toMatchObject({ email: null });
    expect(data.some((s: { parent_id: number }) => s.parent_id === otherOrder.parentId)).toBe(
      false,
    );
  });

  it('exports the same statement as CSV, one row per item, with values a spreadsheet reads back', async () => {
    const family = await familyOwing(
      [{ player: 'Zoe "Z" Park', product: 'A & B, "C"', amountCents: 12345 }],
      'park@families.example',
    );
    const res = await t
      .as(club.apiKey)
      .get('/admin/balances/outstanding?format=csv&email=park@families.example')
      .expect(200);
    expect(res.headers['content-type']).toMatch(/text\/csv/);
    const rows = parse(res.text, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      {
        parent_id: String(family.parent.id),
        parent_name: family.parent.name,
        parent_email: 'park@families.example',
        player_name: 'Zoe "Z" Park',
        item: 'A & B, "C"',
        amount_cents: '12345',
        amount: '123.45',
        currency: 'usd',
        pay_now_url: family.links[0].url,
      },
    ]);
  });

  it('writes text cells that start with = + - @ tab or CR with a leading quote, so a spreadsheet shows them as text; amounts stay numbers (A8)', async () => {
    const f = factories(t.db);
    // Stored as a family or an old import left them: the CSV is where they become harmless.
    const parent = await f.parent(club.tenant.id, {
      name: '=HYPERLINK("http://evil.example","Click")',
      email: 'formula@families.example',
    });
    const cells = ['+1+2', '-1+2', '@SUM(A1:A9)', '\t=1+2', '\r=1+2'];
    const payUrls: string[] = [];
    for (const [i, cell] of cells.entries()) {
      const player = await f.player(club.tenant.id, { parentId: parent.id, name: `${cell} ${i}` });
      const product = await f.product(club.tenant.id, { name: cell });
      const order = await f.order(club.tenant.id, {
        playerId: player.id,
        productId: product.id,
        amountCents: 1000 + i,
      });
      payUrls.push((await f.paymentLink(order)).url);
    }
    const res = await t
      .as(club.apiKey)
      .get('/admin/balances/outstanding?format=csv&email=formula@families.example')
      .expect(200);
    const rows = (parse(res.text, { columns: true }) as Record<string, string>[]).sort(
      (a, b) => Number(a.amount_cents) - Number(b.amount_cents),
    );
    expect(rows).toEqual(
      cells.map((cell, i) => ({
        parent_id: String(parent.id),
        parent_name: `'=HYPERLINK("http://evil.example","Click")`,
        parent_email: 'formula@families.example',
        player_name: `'${cell} ${i}`,
        item: `'${cell}`,
        amount_cents: String(1000 + i),
        amount: (10 + i / 100).toFixed(2),
        currency: 'usd',
        pay_now_url: payUrls[i],
      })),
    );
  });
});
