import type { Browser } from 'playwright-core';
import { describeInBrowser, launchBrowser } from '../support/browser';
import { eventually } from '../support/eventually';
import { Service } from '../support/service';

describeInBrowser('npm start restarted twice, from a parent in a browser', () => {
  let service: Service;
  let browser: Browser;

  beforeAll(async () => {
    service = await Service.create();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await service?.dispose();
  }, 60_000);

  it('a link minted before two restarts (one a SIGKILL) opens in the browser, takes the payment and lands on the thank-you page; the order is paid (S6)', async () => {
    await service.start();
    const admin = service.admin(service.seededApiKey);
    const [player] = (await admin.get('/admin/players').expect(200)).body.data as { id: number }[];
    const product = (
      await admin
        .post('/admin/products')
        .send({ name: 'Away jersey', category: 'jersey', price_cents: 5200 })
        .expect(201)
    ).body as { id: number; price_cents: number };
    const order = (
      await admin.post('/admin/orders').send({ player_id: player.id, product_id: product.id })
    ).body as { id: number };
    const link = (await admin.post(`/admin/orders/${order.id}/payment-link`).expect(201)).body as {
      url: string;
    };

    await expect(service.stop('SIGTERM')).resolves.toBe(0);
    await service.start();
    await expect(service.stop('SIGKILL')).resolves.toBe('SIGKILL');
    await service.start();

    const page = await browser.newPage();
    await page.goto(link.url);
    await page.getByRole('button', { name: 'Pay', exact: true }).click();
    await page.waitForURL(/\/checkout\/thanks\?session_id=cs_/);
    await expect(page.getByRole('heading', { name: 'Thank you!' }).isVisible()).resolves.toBe(true);
    await eventually(async () => {
      const paid = (await admin.get(`/admin/orders/${order.id}`).expect(200)).body;
      expect(paid).toMatchObject({ status: 'paid', amount_paid_cents: product.price_cents });
    }, 15_000);
    await page.close();
  }, 240_000);
});
