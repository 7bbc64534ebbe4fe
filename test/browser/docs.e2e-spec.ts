import type { Browser } from 'playwright-core';
import { createTestApp, TestApp } from '../support/app';
import { describeInBrowser, launchBrowser } from '../support/browser';

describeInBrowser('Swagger UI in a browser, under the Content-Security-Policy', () => {
  let t: TestApp;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen(0, '127.0.0.1');
    base = await t.app.getUrl();
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await t.close();
  });

  it('loads its scripts and styles, shows the API and breaks no rule of the CSP (A10)', async () => {
    const page = await browser.newPage();
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) refused.push(message.text());
    });
    page.on('pageerror', (error) => refused.push(error.message));
    page.on('requestfailed', (request) => refused.push(`${request.url()} failed`));
    const assets: string[] = [];
    page.on('response', (response) => {
      assets.push(`${response.status()} ${new URL(response.url()).pathname}`);
    });
    const res = await page.goto(`${base}/docs`);
    expect(res?.headers()['content-security-policy']).toMatch(/frame-ancestors 'none'/);
    const title = page.locator('.swagger-ui .info .title');
    await title.waitFor();
    await expect(title.textContent()).resolves.toMatch(/^Courtside/);
    await expect(page.locator('.opblock-tag-section').count()).resolves.toBeGreaterThan(5);
    expect(assets).toEqual(
      expect.arrayContaining([
        '200 /docs/swagger-ui.css',
        '200 /docs/swagger-ui-bundle.js',
        '200 /docs/swagger-ui-standalone-preset.js',
        '200 /docs/swagger-ui-init.js',
      ]),
    );
    expect(refused).toEqual([]);
  });
});
