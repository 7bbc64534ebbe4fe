import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { Parent } from '../../src/club/entities/parent.entity';
import type { Player } from '../../src/club/entities/player.entity';
import { addMonths, localNow } from '../../src/common/month/billing-month';
import { MonthRunService } from '../../src/month/services/month-run.service';
import type { StripeEmulator } from '../../src/stripe-emulator';
import type { TestApp } from '../support/app';
import { describeInBrowser, launchBrowser } from '../support/browser';
import { eventually } from '../support/eventually';
import { factories, NO_QUIET_HOURS, TestClub } from '../support/factories';
import { linksIn, SmtpSink } from '../support/smtp-sink';
import { withStripeApp } from '../support/stripe';

/** Each step's screenshot, kept by CI under test-artifacts/ (ignored by git). */
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts/month-autopay');
const snap = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

/** The pay page's test cards, as a person reads them in its "Test card" list. */
const VISA = 'Visa ···· 4242 (succeeds)';
const ASKS_FOR_3DS = 'Visa ···· 3184 (asks for 3-D Secure here, declines off-session)';

const NOT_CHARGED = /your card was not charged/i;

/**
 * The club's month from a family's side (monthly-cycle.md §2, §5, §6): the first month is paid in
 * a browser on the emulator's pay page and keeps the card; the next month's run charges that card
 * with nobody clicking anything; a card that asks for 3-D Secure is refused off-session, and the
 * family's one "card was not charged" mail leads to a Pay Now page that a click pays, once.
 */
describeInBrowser('a month of dues on autopay, from a parent in a browser', () => {
  let stripe: StripeEmulator;
  let t: TestApp;
  let browser: Browser;
  let sink: SmtpSink;
  let runs: MonthRunService;

  withStripeApp((made) => ({ stripe, t, browser, sink } = made), {
    browser: launchBrowser,
    sink: () => SmtpSink.start(),
  });
  beforeAll(() => {
    mkdirSync(ARTIFACTS, { recursive: true });
    runs = t.app.get(MonthRunService);
  });

  interface Family {
    club: TestClub;
    parent: Parent;
    player: Player;
    /** The month the first payment pays (`YYYY-MM`, the club's local month) and the next. */
    month: string;
    next: string;
  }

  /** A club of its own (its month runs meet no other test's players), its dues and one family. */
  async function signedFamily(feeCents: number): Promise<Family> {
    const f = factories(t.db);
    const club = await f.club(NO_QUIET_HOURS);
    await f.product(club.tenant.id, { name: 'Monthly dues', category: 'monthly' });
    const team = await f.team(club.tenant.id, { monthlyFeeCents: feeCents });
    const parent = await f.parent(club.tenant.id, { name: 'Jordan Rivera' });
    const player = await f.player(club.tenant.id, {
      parentId: parent.id,
      teamId: team.id,
      name: 'Sam Rivera',
      contractStatus: 'signed',
    });
    const [{ timezone }] = (await t.db.query(`SELECT timezone FROM tenants WHERE id = $1`, [
      club.tenant.id,
    ])) as { timezone: string }[];
    const month = localNow(new Date(), timezone).month;
    return { club, parent, player, month, next: addMonths(month, 1) };
  }

  /** The mail job polls every half second: time for a second mail to arrive, were one queued. */
  const jobsHadTheirTurn = () => new Promise((resolve) => setTimeout(resolve, 2_500));

  const ctx = (family: Family) => ({ tenantId: family.club.tenant.id, actor: 'test' });

  const orderOf = async (family: Family, month: string) => {
    const rows = (await t.db.query(
      `SELECT id, status, amount_cents, amount_paid_cents, stripe_payment_intent_id
       FROM orders WHERE player_id = $1 AND billing_period = $2`,
      [family.player.id, `${month}-01`],
    )) as {
      id: number;
      status: string;
      amount_cents: number;
      amount_paid_cents: number;
      stripe_payment_intent_id: string | null;
    }[];
    expect(rows).toHaveLength(1);
    return rows[0];
  };
  const attemptsOf = (orderId: number) =>
    t.db.query(
      `SELECT attempt, status, decline_code, stripe_payment_intent_id FROM charge_attempts
       WHERE order_id = $1 ORDER BY attempt`,
      [orderId],
    ) as Promise<
      {
        attempt: number;
        status: string;
        decline_code: string | null;
        stripe_payment_intent_id: string | null;
      }[]
    >;
  const linksOf = (orderId: number) =>
    t.db.query(`SELECT url, status FROM payment_links WHERE order_id = $1 ORDER BY id`, [
      orderId,
    ]) as Promise<{ url: string; status: string }[]>;
  /** What Stripe said succeeded for the order: one PaymentIntent per payment. */
  const paymentsAtStripe = (orderId: number) =>
    stripe.events.filter(
      (event) =>
        event.type === 'payment_intent.succeeded' &&
        (event.data.object as { metadata?: Record<string, string> }).metadata?.order_id ===
          String(orderId),
    );
  const checkoutsCompleted = () =>
    stripe.events.filter((event) => event.type === 'checkout.session.completed').length;
  const notChargedMails = (family: Family) =>
    sink.messagesTo(family.parent.email!).filter((mail) => NOT_CHARGED.test(mail.subject));
  /** The card an admin sees on the family (GET /admin/parents/:id). */
  const cardShown = async (family: Family) =>
    (await t.as(family.club.apiKey).get(`/admin/parents/${family.parent.id}`).expect(200)).body
      .card as { brand: string; last4: string; exp_month: number; exp_year: number } | null;

  /** The parent opens a pay page, picks `card` in its list, pays and lands on the thank-you page. */
  async function payInBrowser(
    family: Family,
    url: string,
    card: string,
    amount: string,
    shot: string,
  ) {
    const page = await browser.newPage();
    await page.goto(url);
    await expect(page.getByText(amount).first().isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { name: 'Monthly dues' }).isVisible()).resolves.toBe(
      true,
    );
    await page.getByLabel('Email').fill(family.parent.email!);
    await page.getByLabel('Test card').selectOption({ label: card });
    await snap(page, `${shot}-pay-page`);
    await page.getByRole('button', { name: 'Pay', exact: true }).click();
    await page.waitForURL(/\/checkout\/thanks\?session_id=cs_/);
    await expect(page.getByRole('heading', { name: 'Thank you!' }).isVisible()).resolves.toBe(true);
    await snap(page, `${shot}-thank-you`);
    await page.close();
  }

  /** The first month, paid through the player's first-payment link; the card it kept, saved. */
  async function payFirstMonth(family: Family, card: string, last4: string) {
    const { url } = (
      await t
        .as(family.club.apiKey)
        .post(`/admin/players/${family.player.id}/first-payment-link`)
        .expect(200)
    ).body as { url: string };
    await payInBrowser(family, url, card, '$95.00', `${last4}-1-first-month`);
    await eventually(async () => {
      expect(await orderOf(family, family.month)).toMatchObject({
        status: 'paid',
        amount_paid_cents: 9_500,
      });
    });
    // The card is read from Stripe by a job after the webhook kept the family's customer.
    await eventually(async () => {
      expect(await cardShown(family)).toMatchObject({ brand: 'visa', last4 });
    });
    const [kept] = (await t.db.query(
      `SELECT stripe_customer_id, autopay_payment_method_id, autopay FROM parents WHERE id = $1`,
      [family.parent.id],
    )) as {
      stripe_customer_id: string | null;
      autopay_payment_method_id: string | null;
      autopay: boolean;
    }[];
    expect(kept.stripe_customer_id).toMatch(/^cus_/);
    expect(kept.autopay_payment_method_id).toMatch(/^pm_/);
    expect(kept.autopay).toBe(true);
    return kept;
  }

  it('a parent pays the first month with the visa test card; the next month is charged on that card with no click and paid by the webhook', async () => {
    const family = await signedFamily(9_500);
    const kept = await payFirstMonth(family, VISA, '4242');

    const sessionsBefore = checkoutsCompleted();
    const run = await runs.run(ctx(family), family.next);

    const order = await orderOf(family, family.next);
    expect(order.amount_cents).toBe(9_500);
    const [attempt, ...more] = await attemptsOf(order.id);
    expect(more).toEqual([]);
    expect(attempt).toMatchObject({ attempt: 1, status: 'succeeded', decline_code: null });
    // Paid by the webhook of the charge on the kept card: no link, no page, no click.
    await eventually(async () => {
      expect(await orderOf(family, family.next)).toMatchObject({
        status: 'paid',
        amount_paid_cents: 9_500,
        stripe_payment_intent_id: attempt.stripe_payment_intent_id,
      });
    });
    expect(await linksOf(order.id)).toEqual([]);
    // Nobody went through a pay page: no Checkout Session was completed since the first month.
    expect(checkoutsCompleted()).toBe(sessionsBefore);
    const charge = stripe.requests.find(
      (request) => request.method === 'POST' && request.path === '/v1/payment_intents',
    );
    expect(charge?.params).toMatchObject({
      customer: kept.stripe_customer_id,
      payment_method: kept.autopay_payment_method_id,
      off_session: 'true',
      confirm: 'true',
    });
    expect(paymentsAtStripe(order.id)).toHaveLength(1);
    const counted = (
      await t.as(family.club.apiKey).get(`/admin/billing/runs/${run.id}`).expect(200)
    ).body as { status: string; charged: number; charge_failed: number; links_minted: number };
    expect(counted).toMatchObject({
      status: 'done',
      charged: 1,
      charge_failed: 0,
      links_minted: 0,
    });
    // Nobody is told the card failed; the card stays kept for the month after.
    expect(notChargedMails(family)).toEqual([]);
    expect(await cardShown(family)).toMatchObject({ brand: 'visa', last4: '4242' });
  });

  it("a card that asks for 3-D Secure is refused off-session: the order stays owed, one mail's Pay Now link opens a page that one click pays, and no run mails twice", async () => {
    const family = await signedFamily(9_500);
    await payFirstMonth(family, ASKS_FOR_3DS, '3184');

    const run = await runs.run(ctx(family), family.next);

    const order = await orderOf(family, family.next);
    expect(order.status).toBe('pending');
    expect(order.amount_paid_cents).toBe(0);
    expect(await attemptsOf(order.id)).toEqual([
      expect.objectContaining({
        attempt: 1,
        status: 'failed',
        decline_code: 'authentication_required',
      }),
    ]);
    const links = await linksOf(order.id);
    expect(links).toEqual([expect.objectContaining({ status: 'active' })]);
    const counted = (
      await t.as(family.club.apiKey).get(`/admin/billing/runs/${run.id}`).expect(200)
    ).body as { status: string; charged: number; charge_failed: number; links_minted: number };
    expect(counted).toMatchObject({
      status: 'done',
      charged: 0,
      charge_failed: 1,
      links_minted: 1,
    });

    // The family's mail, as a mail client shows it.
    const [mail] = await eventually(() => {
      const mails = notChargedMails(family);
      expect(mails).toHaveLength(1);
      return mails;
    });
    expect(mail.to).toEqual([family.parent.email]);
    expect(mail.text).toContain('Hello Jordan Rivera,');
    expect(mail.text).toContain('We tried to charge your saved card (Visa ending 3184)');
    expect(mail.text).toContain('Your bank wants you to confirm this payment yourself.');
    expect(mail.text).toContain('Nothing was charged.');
    expect(mail.text).toContain('Sam Rivera, Monthly dues: $95.00');
    const payNow = linksIn(mail.html).filter((link) => link.label === 'Pay Now');
    expect(payNow).toHaveLength(1);
    expect(payNow[0].href).toBe(links[0].url);

    // Run again before the family pays: still owed, nothing new tried, no second mail.
    await runs.run(ctx(family), family.next);
    expect(await attemptsOf(order.id)).toHaveLength(1);
    expect(await linksOf(order.id)).toHaveLength(1);
    await jobsHadTheirTurn();
    expect(notChargedMails(family)).toHaveLength(1);

    await payInBrowser(family, payNow[0].href, VISA, '$95.00', '3184-2-pay-now');
    await eventually(async () => {
      expect(await orderOf(family, family.next)).toMatchObject({
        status: 'paid',
        amount_paid_cents: 9_500,
      });
    });
    // One payment: the refused try took nothing, the click paid once, nothing to refund.
    expect(paymentsAtStripe(order.id)).toHaveLength(1);
    expect(await t.db.query(`SELECT id FROM overpayments WHERE order_id = $1`, [order.id])).toEqual(
      [],
    );
    await eventually(async () => {
      expect((await linksOf(order.id)).map((link) => link.status)).not.toContain('active');
    });
    // The card paid with on the Pay Now page is the one kept for next month (§5).
    await eventually(async () => {
      expect(await cardShown(family)).toMatchObject({ brand: 'visa', last4: '4242' });
    });
    const page = await browser.newPage();
    await page.goto(payNow[0].href);
    await expect(page.getByText('This item is paid or no longer due').isVisible()).resolves.toBe(
      true,
    );
    await expect(page.getByRole('button', { name: 'Pay', exact: true }).count()).resolves.toBe(0);
    await snap(page, '3184-3-link-closed');
    await page.close();

    // And run once more after paying: nothing charged, no second mail.
    await runs.run(ctx(family), family.next);
    expect(await attemptsOf(order.id)).toHaveLength(1);
    await jobsHadTheirTurn();
    expect(notChargedMails(family)).toHaveLength(1);
    expect(
      await t.db.query(
        `SELECT id FROM email_messages WHERE parent_id = $1 AND email_type = 'autopay_failed'`,
        [family.parent.id],
      ),
    ).toHaveLength(1);
  });
});
