import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import type { TestApp } from '../support/app';
import { describeInBrowser, launchBrowser } from '../support/browser';
import { eventually } from '../support/eventually';
import { factories, TestClub } from '../support/factories';
import { withStripeApp } from '../support/stripe';

/** Each step's screenshot, kept by CI under test-artifacts/ (ignored by git). */
const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts/first-payment');
const snap = (page: Page, name: string) =>
  page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

describeInBrowser('first payment, from a parent in a browser', () => {
  let t: TestApp;
  let club: TestClub;
  let browser: Browser;

  withStripeApp((made) => ({ t, club, browser } = made), { browser: launchBrowser });
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    await factories(t.db).product(club.tenant.id, { name: 'Monthly dues', category: 'monthly' });
  });

  const linkOf = async (playerId: number) =>
    (await t.as(club.apiKey).post(`/admin/players/${playerId}/first-payment-link`).expect(200)).body
      .url as string;

  it('opens the first-payment link, pays on the pay page, lands on the thank-you page, and the month is paid', async () => {
    const team = await factories(t.db).team(club.tenant.id, { monthlyFeeCents: 11000 });
    const player = await factories(t.db).player(club.tenant.id, {
      teamId: team.id,
      contractStatus: 'signed',
    });
    const page = await browser.newPage();
    await page.goto(await linkOf(player.id));
    await expect(page.getByText('$110.00').first().isVisible()).resolves.toBe(true);
    await snap(page, '1-pay-page');
    await page.getByRole('button', { name: 'Pay', exact: true }).click();
    await page.waitForURL(/\/checkout\/thanks\?session_id=cs_/);
    await snap(page, '2-thank-you');
    await eventually(async () => {
      const [order] = await t.db.query(
        `SELECT status, amount_paid_cents FROM orders WHERE player_id = $1`,
        [player.id],
      );
      expect(order).toMatchObject({ status: 'paid', amount_paid_cents: 11000 });
    }, 5_000);
    await page.reload();
    await expect(
      page.getByText('Your payment for Monthly dues was received').isVisible(),
    ).resolves.toBe(true);
    await page.close();
  });

  it('shows a parent whose contract is not signed a page that says so, and takes no payment', async () => {
    const player = await factories(t.db).player(club.tenant.id, { contractStatus: 'pending' });
    const page = await browser.newPage();
    await page.goto(await linkOf(player.id));
    await expect(
      page.getByRole('heading', { name: 'Not ready for payment yet' }).isVisible(),
    ).resolves.toBe(true);
    await snap(page, '3-not-signed');
    await expect(page.getByRole('button').count()).resolves.toBe(0);
    await page.close();
  });
});
