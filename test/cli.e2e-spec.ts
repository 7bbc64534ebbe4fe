import { addMonths } from '../src/common/month/billing-month';
import { EMULATOR_SECRET_KEY } from '../src/config/stripe.config';
import type { StripeEmulator } from '../src/stripe-emulator';
import { sdkClient } from '../src/stripe-emulator/testing/sdk-client';
import { createTestApp, TestApp } from './support/app';
import { CliReport, runCli } from './support/cli';
import { eventually } from './support/eventually';
import { startStripeEmulator, stripeWrites } from './support/stripe';

const keyIn = (text: string) => /cs_admin_[A-Za-z0-9_-]{43}/.exec(text)?.[0];

describe('operator CLI', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('migrate reports an up-to-date schema', async () => {
    const run = await runCli({ app: t }, 'migrate');
    expect(run).toMatchObject({ code: 0, out: expect.stringMatching(/up to date/) });
  });

  it('club:create onboards a club whose printed key reads only that club', async () => {
    const run = await runCli(
      { app: t },
      'club:create',
      '--slug',
      'eastside-hoops',
      '--name',
      'Eastside Hoops',
    );
    expect(run.code).toBe(0);
    const key = keyIn(run.out);
    expect(key).toBeDefined();
    const club = await t.as(key!).get('/admin/club').expect(200);
    expect(club.body).toMatchObject({ slug: 'eastside-hoops', name: 'Eastside Hoops' });

    const again = await runCli(
      { app: t },
      'club:create',
      '--slug',
      'eastside-hoops',
      '--name',
      'Other',
    );
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/already exists/);
  });

  it('api-key:create prints a key once; api-key:revoke makes it answer 401', async () => {
    await runCli({ app: t }, 'club:create', '--slug', 'westside', '--name', 'Westside');
    const created = await runCli(
      { app: t },
      'api-key:create',
      '--tenant',
      'westside',
      '--name',
      'treasurer laptop',
    );
    expect(created.code).toBe(0);
    const key = keyIn(created.out)!;
    await t.as(key).get('/admin/parents').expect(200);
    const [{ key_hash }] = await t.db.query(
      `SELECT key_hash FROM admin_api_keys WHERE name = 'treasurer laptop'`,
    );
    expect(key_hash).not.toContain(key);

    const listed = await runCli({ app: t }, 'api-key:list', '--tenant', 'westside');
    expect(listed.code).toBe(0);
    expect(listed.out).toMatch(
      new RegExp(`│ westside │ ${key.slice(0, 15)}\\s+│ treasurer laptop`),
    );
    expect(listed.out).not.toContain(key);

    const revoked = await runCli({ app: t }, 'api-key:revoke', '--prefix', key.slice(0, 15));
    expect(revoked).toMatchObject({ code: 0, out: expect.stringMatching(/Revoked 1 key/) });
    await t.as(key).get('/admin/parents').expect(401);
    const after = await runCli({ app: t }, 'api-key:list', '--tenant', 'westside', '--json');
    const keys = JSON.parse(after.out) as { prefix: string; revoked_at: string | null }[];
    expect(keys.find((k) => k.prefix === key.slice(0, 15))?.revoked_at).toEqual(expect.any(String));
  });

  it('fails with a clear message and exit code 1 for an unknown club', async () => {
    const run = await runCli({ app: t }, 'api-key:create', '--tenant', 'no-such-club');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(/Club no-such-club not found/);
  });
});

describe('seed:demo', () => {
  let stripe: StripeEmulator;
  let t: TestApp;
  beforeAll(async () => {
    stripe = await startStripeEmulator();
    t = await createTestApp({ stripe });
  });
  afterAll(async () => {
    await stripe.waitForDeliveries();
    await t.close();
    await stripe.close();
  });

  it('seeds once with saved cards kept at Stripe, says so when run again and writes nothing to Stripe then; a month run charges the cards, links the rest and mails the refused family once', async () => {
    const first = await runCli({ app: t, stripe }, 'seed:demo');
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/4 families have a saved card/);
    const key = keyIn(first.out)!;
    const players = await t.as(key).get('/admin/players?limit=100').expect(200);
    expect(players.body.data.length).toBeGreaterThanOrEqual(20);

    const cards = (await t.db.query(
      `SELECT p.name, p.stripe_customer_id, p.autopay_payment_method_id, p.card_brand, p.card_last4, p.autopay
       FROM parents p JOIN tenants tn ON tn.id = p.tenant_id
       WHERE tn.slug = 'demo' AND p.autopay_payment_method_id IS NOT NULL ORDER BY p.id`,
    )) as {
      name: string;
      stripe_customer_id: string;
      autopay_payment_method_id: string;
      card_last4: string;
    }[];
    expect(cards.map((card) => [card.name, card.card_last4])).toEqual([
      ['Maria Alvarez', '4242'],
      ['Chris Edwards', '4242'],
      ['Mike Johnson', '4242'],
      ['Wei Martin', '9995'],
    ]);
    const client = sdkClient(stripe, { key: EMULATOR_SECRET_KEY });
    for (const card of cards) {
      const methods = await client.paymentMethods.list({ customer: card.stripe_customer_id });
      expect(methods.data.map((method) => method.id)).toEqual([card.autopay_payment_method_id]);
    }

    const writes = stripeWrites(stripe);
    const second = await runCli({ app: t, stripe }, 'seed:demo');
    expect(second).toMatchObject({ code: 0, out: expect.stringMatching(/already exists/) });
    expect(keyIn(second.out)).toBeUndefined();
    expect(stripeWrites(stripe)).toBe(writes);

    // The refused family's mail goes at once whatever the hour (no quiet hours for this test).
    await t.db.query(
      `UPDATE tenants SET quiet_hours_start = '00:00', quiet_hours_end = '00:00' WHERE slug = 'demo'`,
    );
    // The seeded first months are this month's: its run bills nobody, the next month's bills.
    const month = /--month (\d{4}-\d{2})/.exec(first.out)![1];
    const thisMonth = await runCli(
      { app: t, stripe },
      'billing:run-month',
      '--tenant',
      'demo',
      '--month',
      addMonths(month, -1),
      '--json',
    );
    const report = JSON.parse(thisMonth.out) as CliReport;
    expect(report.summary).toMatchObject({ would_do: 0, skipped: 25 });
    expect(report.items.filter((item) => /already_billed/.test(item.result))).toHaveLength(15);

    const run = await runCli(
      { app: t, stripe },
      'billing:run-month',
      '--tenant',
      'demo',
      '--month',
      month,
      '--commit',
    );
    expect(run.code).toBe(0);
    expect(run.err).toMatch(/15 orders for the month, 15 of them made just now/);
    expect(run.err).toMatch(/5 charged to a saved card/);
    expect(run.err).toMatch(/2 refused by the bank: .* the mail to 1 family is queued/);
    expect(run.err).toMatch(/8 owed by families without autopay, .* 10 Pay Now links in all/);
    await eventually(async () => {
      const rows = (await t.db.query(
        `SELECT p.name, o.status, (l.id IS NOT NULL) AS linked FROM orders o
         JOIN parents p ON p.id = o.parent_id
         LEFT JOIN payment_links l ON l.order_id = o.id AND l.status = 'active'
         WHERE o.billing_period = $1::date ORDER BY o.id`,
        [`${month}-01`],
      )) as { name: string; status: string; linked: boolean }[];
      expect(rows).toHaveLength(15);
      const card = new Set(['Maria Alvarez', 'Chris Edwards', 'Mike Johnson']);
      for (const row of rows)
        expect(row).toEqual(
          card.has(row.name)
            ? { name: row.name, status: 'paid', linked: false }
            : { name: row.name, status: 'pending', linked: true },
        );
    });
    await eventually(async () => {
      const mails = (await t.db.query(
        `SELECT recipient FROM email_messages WHERE message_key LIKE 'autopay-failed:%'`,
      )) as { recipient: string }[];
      expect(mails).toEqual([{ recipient: 'wei.martin@families.example' }]);
    });
  });
});
