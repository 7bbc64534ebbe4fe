import type Stripe from 'stripe';
import { addMonths, localNow } from '../src/common/month/billing-month';
import type { StripeEmulator } from '../src/stripe-emulator';
import { sdkClient } from '../src/stripe-emulator/testing/sdk-client';
import type { TestApp } from './support/app';
import { runCli, runCliJson } from './support/cli';
import { eventually } from './support/eventually';
import { factories, TestClub } from './support/factories';
import { withStripeApp } from './support/stripe';

/** `npm run cli -- billing:run-month` as an operator runs it: a real process on the database. */
describe('billing:run-month', () => {
  let stripe: StripeEmulator;
  let t: TestApp;
  let sdk: Stripe;
  const target = () => ({ app: t, stripe });
  const month = addMonths(localNow(new Date(), 'UTC').month, 1);

  withStripeApp((made) => ({ stripe, t } = made));
  beforeAll(() => {
    sdk = sdkClient(stripe);
  });

  /** A club with a carded family, a declining card, a family without a card and a pending player. */
  async function club(): Promise<{ club: TestClub; players: Record<string, number> }> {
    const f = factories(t.db);
    const made = await f.club();
    const tenantId = made.tenant.id;
    const dues = await f.product(tenantId, { category: 'monthly', priceCents: 12_500 });
    const team = await f.team(tenantId, { monthlyFeeCents: 12_500 });
    const players: Record<string, number> = {};
    for (const [name, card] of [
      ['carded', 'pm_card_visa'],
      ['declined', 'pm_card_chargeDeclinedInsufficientFunds'],
      ['linked', null],
      ['pending', null],
    ] as const) {
      const parent = await f.parent(tenantId);
      if (card) {
        const customer = await sdk.customers.create({ email: parent.email! });
        const method = await sdk.paymentMethods.attach(card, { customer: customer.id });
        await t.db.query(
          `UPDATE parents SET stripe_customer_id = $2, autopay_payment_method_id = $3,
                  card_brand = 'visa', card_last4 = $4 WHERE id = $1`,
          [parent.id, customer.id, method.id, method.card!.last4],
        );
      }
      const player = await f.player(tenantId, {
        parentId: parent.id,
        teamId: team.id,
        contractStatus: name === 'pending' ? 'pending' : 'signed',
      });
      await f.order(tenantId, {
        playerId: player.id,
        productId: dues.id,
        amountCents: 12_500,
        status: 'paid',
        amountPaidCents: 12_500,
      });
      players[name] = player.id;
    }
    return { club: made, players };
  }

  const monthOrders = (tenantId: number) =>
    t.db.query(
      `SELECT player_id, status FROM orders WHERE tenant_id = $1 AND billing_period = $2 ORDER BY player_id`,
      [tenantId, `${month}-01`],
    ) as Promise<{ player_id: number; status: string }[]>;

  it('a dry run lists what each player would get and writes nothing; --commit bills; a second --commit changes nothing', async () => {
    const { club: made, players } = await club();
    const slug = made.tenant.slug;
    const writes = stripe.requests.filter((r) => r.method === 'POST').length;

    const dry = await runCliJson(target(), 'billing:run-month', '--month', month, '--tenant', slug);
    expect(dry.code).toBe(0);
    const dryResults = Object.fromEntries(
      dry.report.items.map((item) => [item.columns.player, item.result]),
    );
    expect(Object.values(dryResults)).toEqual(
      expect.arrayContaining([
        'bill $125.00 and charge the saved card visa •4242',
        'bill $125.00 and charge the saved card visa •9995',
        'bill $125.00 and send the family a Pay Now link',
        'not billed: contract not signed (not_signed)',
      ]),
    );
    expect(await monthOrders(made.tenant.id)).toEqual([]);
    expect(stripe.requests.filter((r) => r.method === 'POST').length).toBe(writes);

    const commit = await runCli(
      target(),
      'billing:run-month',
      '--month',
      month,
      '--tenant',
      slug,
      '--commit',
    );
    expect(commit.code).toBe(0);
    expect(commit.err).toContain('3 orders for the month, 3 of them made just now');
    expect(commit.err).toContain('1 refused by the bank');
    expect(commit.err).toContain('the mail to 1 family is queued');
    await eventually(async () =>
      expect(await monthOrders(made.tenant.id)).toEqual([
        { player_id: players.carded, status: 'paid' },
        { player_id: players.declined, status: 'pending' },
        { player_id: players.linked, status: 'pending' },
      ]),
    );

    const before = stripe.requests.length;
    const again = await runCliJson(
      target(),
      'billing:run-month',
      '--month',
      month,
      '--tenant',
      slug,
      '--commit',
    );
    expect(again.code).toBe(0);
    expect(again.report.summary.done).toBe(0);
    expect(stripe.requests.length).toBe(before);
    expect(await monthOrders(made.tenant.id)).toHaveLength(3);
  });

  it('refuses a month that is not YYYY-MM, naming the option', async () => {
    const run = await runCli(target(), 'billing:run-month', '--month', '2027-13');
    expect(run.code).not.toBe(0);
    expect(run.err).toContain('--month must be a month, YYYY-MM');
  });
});
