import type { Browser } from 'playwright-core';
import type { TestApp } from '../support/app';
import { describeInBrowser, launchBrowser } from '../support/browser';
import { eventually } from '../support/eventually';
import { factories, TestClub } from '../support/factories';
import { withStripeApp } from '../support/stripe';

describeInBrowser('paying a link in a browser', () => {
  let t: TestApp;
  let club: TestClub;
  let browser: Browser;

  withStripeApp((made) => ({ t, club, browser } = made), { browser: launchBrowser });

  it('a parent opens the Pay Now link, clicks Pay, lands on the thank-you page; the order is paid and the link closes', async () => {
    const product = await factories(t.db).product(club.tenant.id, {
      name: 'Home jersey',
      priceCents: 4500,
    });
    const order = await factories(t.db).order(club.tenant.id, {
      productId: product.id,
      amountCents: 4500,
    });
    const link = (
      await t.as(club.apiKey).post(`/admin/orders/${order.id}/payment-link`).expect(201)
    ).body;

    const page = await browser.newPage();
    await page.goto(link.url);
    await expect(page.getByText('$45.00').first().isVisible()).resolves.toBe(true);
    await page.getByRole('button', { name: 'Pay', exact: true }).click();
    await page.waitForURL(/\/checkout\/thanks\?session_id=cs_/);
    await expect(page.getByRole('heading', { name: 'Thank you!' }).isVisible()).resolves.toBe(true);

    await eventually(async () => {
      const paid = (await t.as(club.apiKey).get(`/admin/orders/${order.id}`).expect(200)).body;
      expect(paid).toMatchObject({ status: 'paid', amount_paid_cents: 4500 });
    }, 5_000);
    await eventually(async () => {
      const closed = (await t.as(club.apiKey).get(`/admin/payment-links/${link.id}`).expect(200))
        .body;
      expect(closed.deactivated_at).not.toBeNull();
    });
    await page.goto(link.url);
    await expect(page.getByRole('button', { name: 'Pay', exact: true }).count()).resolves.toBe(0);
    await page.close();
  });

  it('a parent who pays by bank debit sees it processing; the order is processing, not paid', async () => {
    const order = await factories(t.db).order(club.tenant.id);
    const link = (
      await t.as(club.apiKey).post(`/admin/orders/${order.id}/payment-link`).expect(201)
    ).body;
    const page = await browser.newPage();
    await page.goto(link.url);
    await page.getByRole('button', { name: 'Pay by bank debit' }).click();
    await expect(
      page
        .getByText(/processing/i)
        .first()
        .isVisible(),
    ).resolves.toBe(true);
    await eventually(async () => {
      expect(
        (await t.as(club.apiKey).get(`/admin/orders/${order.id}`).expect(200)).body.status,
      ).toBe('processing');
    }, 5_000);
    await page.close();
  });
});
