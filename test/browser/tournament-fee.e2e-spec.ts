import { mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { TestApp } from '../support/app';
import { describeInBrowser, launchBrowser } from '../support/browser';
import { eventually } from '../support/eventually';
import { factories, TestClub } from '../support/factories';
import { linksIn, parseMessage } from '../support/smtp-sink';
import { withStripeApp } from '../support/stripe';

const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts/tournament-fee');

describeInBrowser('a tournament fee paid from the statement email, in a browser', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'courtside-outbox-'));
  let t: TestApp;
  let club: TestClub;
  let browser: Browser;

  withStripeApp((made) => ({ t, club, browser } = made), {
    browser: launchBrowser,
    env: { DATA_DIR: dataDir, MAIL_TRANSPORT: 'outbox' },
  });
  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
  });

  it("a parent opens the outstanding-balance email's Pay Now link for the tournament fee, pays, and the order is paid", async () => {
    const f = factories(t.db);
    const team = await f.team(club.tenant.id);
    const fee = await f.product(club.tenant.id, {
      name: 'Winter Classic fee',
      category: 'tournament',
      priceCents: 7500,
    });
    const parent = await f.parent(club.tenant.id, { email: 'avery@families.example' });
    const player = await f.player(club.tenant.id, {
      parentId: parent.id,
      teamId: team.id,
      name: 'Maya Lee',
    });
    const admin = t.as(club.apiKey);
    const tournament = (
      await admin
        .post('/admin/tournaments')
        .send({ name: 'Winter Classic', starts_on: '2026-12-05' })
        .expect(201)
    ).body;
    await admin
      .post(`/admin/tournaments/${tournament.id}/teams`)
      .send({ team_id: team.id, product_id: fee.id })
      .expect(200);
    await admin
      .post(`/admin/tournaments/${tournament.id}/commitments`)
      .send({ player_id: player.id, status: 'committed' })
      .expect(200);
    await admin.post(`/admin/tournaments/${tournament.id}/checkout-links`).expect(201);

    await admin.post('/admin/email/outstanding-balance').expect(200);
    const outbox = path.join(dataDir, 'outbox');
    const file = await eventually(() => {
      const files = readdirSync(outbox).filter((name) => name.endsWith('.eml'));
      expect(files).toHaveLength(1);
      return path.join(outbox, files[0]);
    });
    const mail = await parseMessage(readFileSync(file));
    const payNow = linksIn(mail.html).find((link) => /Pay Now/i.test(link.label));
    expect(payNow).toBeDefined();

    const page = await browser.newPage();
    await page.goto(payNow!.href);
    await expect(page.getByText('$75.00').first().isVisible()).resolves.toBe(true);
    await page.screenshot({ path: path.join(ARTIFACTS, '1-pay-page.png'), fullPage: true });
    await page.getByRole('button', { name: 'Pay', exact: true }).click();
    await page.waitForURL(/\/checkout\/thanks\?session_id=cs_/);
    await page.screenshot({ path: path.join(ARTIFACTS, '2-thank-you.png'), fullPage: true });
    await eventually(async () => {
      const billing = (await admin.get(`/admin/tournaments/${tournament.id}/billing`).expect(200))
        .body;
      expect(JSON.stringify(billing)).toContain('"paid"');
    }, 5_000);
    await page.close();
  });
});
