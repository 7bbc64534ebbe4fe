import Stripe from 'stripe';
import { StripeEmulator } from './index';
import { mintLink, sdkClient } from './testing/sdk-client';
import { WebhookReceiver } from './testing/webhook-receiver';

const SECRET = 'whsec_pages_spec';

describe('Stripe emulator: hosted payment pages', () => {
  let emulator: StripeEmulator;
  let receiver: WebhookReceiver;
  let stripe: Stripe;

  beforeEach(async () => {
    receiver = await WebhookReceiver.start();
    emulator = await StripeEmulator.start({ webhookSecret: SECRET, webhookUrl: receiver.url });
    stripe = sdkClient(emulator);
  });

  afterEach(async () => {
    await emulator.close();
    await receiver.close();
  });

  const page = async (url: string) => {
    const response = await fetch(url);
    return { status: response.status, html: await response.text() };
  };

  /** Submits a page's form the way a browser does, without following the redirect. */
  const submit = (url: string, fields: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
      redirect: 'manual',
    });

  it('shows the product name HTML-escaped and the amount as "$125.00", with both pay buttons', async () => {
    const link = await mintLink(stripe, {
      productName: '<script>alert(1)</script>',
      amount: 12500,
    });
    const { status, html } = await page(link.url);

    expect(status).toBe(200);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('$125.00');
    expect(html).toMatch(/<button[^>]*value="card"[^>]*>\s*Pay\s*<\/button>/);
    expect(html).toMatch(/<button[^>]*value="bank_debit"[^>]*>\s*Pay by bank debit\s*<\/button>/);
  });

  it('an inactive link shows its inactive_message and no Pay button', async () => {
    const link = await mintLink(stripe, {
      inactive_message: 'Paid in full — thanks & see you <soon>',
    });
    await stripe.paymentLinks.update(link.id, { active: false });
    const { status, html } = await page(link.url);

    expect(status).toBe(200);
    expect(html).toContain('Paid in full — thanks &amp; see you &lt;soon&gt;');
    expect(html).not.toContain('<button');
  });

  it('an inactive link without a message shows "This link is no longer active"', async () => {
    const link = await mintLink(stripe);
    await stripe.paymentLinks.update(link.id, { active: false });
    const { html } = await page(link.url);
    expect(html).toContain('This link is no longer active');
    expect(html).not.toContain('<button');
  });

  it('paying by card completes a session, delivers the webhook and redirects with the session id', async () => {
    const link = await mintLink(stripe, {
      after_completion: {
        type: 'redirect',
        redirect: { url: 'https://club.example/thanks?session_id={CHECKOUT_SESSION_ID}' },
      },
    });
    const response = await submit(`${link.url}/pay`, {
      method: 'card',
      email: 'parent@example.com',
    });

    expect(response.status).toBe(303);
    const location = new URL(response.headers.get('location') ?? '');
    const sessionId = location.searchParams.get('session_id') ?? '';
    expect(location.origin + location.pathname).toBe('https://club.example/thanks');
    expect(await stripe.checkout.sessions.retrieve(sessionId)).toMatchObject({
      status: 'complete',
      payment_status: 'paid',
      payment_link: link.id,
      customer_details: expect.objectContaining({ email: 'parent@example.com' }),
    });

    await emulator.waitForDeliveries();
    const completed = receiver.received
      .map((webhook) =>
        stripe.webhooks.constructEvent(webhook.body, webhook.signature ?? '', SECRET),
      )
      .find((event) => event.type === 'checkout.session.completed');
    expect(completed?.data.object).toMatchObject({ id: sessionId });

    const after = await page(link.url);
    expect(after.html).toContain('This link is no longer active');
  });

  it('offers the test cards (visa by default); a declining card shows the decline with no payment, then another card pays and is saved', async () => {
    const link = await mintLink(stripe, {
      customer_creation: 'always',
      payment_intent_data: { setup_future_usage: 'off_session' },
    });
    const { html } = await page(link.url);
    expect(html).toMatch(/<option value="pm_card_visa"\s+selected\s*>/);
    expect(html).toContain('value="pm_card_chargeDeclinedInsufficientFunds"');

    const declined = await submit(`${link.url}/pay`, {
      method: 'card',
      card: 'pm_card_chargeDeclinedInsufficientFunds',
      email: 'parent@example.com',
    });
    expect(declined.status).toBe(402);
    const declinedHtml = await declined.text();
    expect(declinedHtml).toContain('Your card has insufficient funds.');
    const action = /<form method="post" action="([^"]+)"/.exec(declinedHtml)?.[1] ?? '';
    expect(action).toMatch(/^\/c\/pay\/cs_test_\w+\/pay$/);
    const sessionId = action.split('/')[3];
    await expect(stripe.checkout.sessions.retrieve(sessionId)).resolves.toMatchObject({
      status: 'open',
      payment_intent: null,
    });
    await emulator.waitForDeliveries();
    expect(receiver.received).toHaveLength(0);

    const paid = await submit(new URL(action, link.url).href, {
      method: 'card',
      card: 'pm_card_visa',
    });
    expect(paid.status).toBe(303);
    const session = await stripe.checkout.sessions.retrieve(sessionId, {
      expand: ['payment_intent.payment_method'],
    });
    expect(session).toMatchObject({ status: 'complete', payment_status: 'paid' });
    expect(session.customer).toMatch(/^cus_/);
    const paymentIntent = session.payment_intent as Stripe.PaymentIntent;
    expect(paymentIntent.payment_method).toMatchObject({
      customer: session.customer,
      card: { last4: '4242' },
    });
  });

  it('with a hosted confirmation, paying leads to a "Payment received" page', async () => {
    const link = await mintLink(stripe);
    const response = await submit(`${link.url}/pay`, { method: 'card' });
    expect(response.status).toBe(303);

    const confirmation = await page(response.headers.get('location') ?? '');
    expect(confirmation.html).toContain('Payment received');
    expect(confirmation.html).toContain('$125.00');
  });

  it('a bank debit shows a processing page whose Settle buttons settle it by hand', async () => {
    const link = await mintLink(stripe);
    const paid = await submit(`${link.url}/pay`, { method: 'bank_debit' });
    const sessionUrl = paid.headers.get('location') ?? '';
    const sessionId = sessionUrl.split('/').pop() ?? '';

    const processing = await page(sessionUrl);
    expect(processing.html).toContain('processing');
    expect(processing.html).toMatch(/<button[^>]*>\s*Settle: succeeded\s*<\/button>/);
    expect(processing.html).toMatch(/<button[^>]*>\s*Settle: failed\s*<\/button>/);
    expect(await stripe.checkout.sessions.retrieve(sessionId)).toMatchObject({
      payment_status: 'unpaid',
    });

    const settled = await submit(`${sessionUrl}/settle`, { outcome: 'succeeded' });
    expect(settled.status).toBe(303);
    expect((await page(sessionUrl)).html).toContain('Payment received');
    expect(await stripe.checkout.sessions.retrieve(sessionId)).toMatchObject({
      payment_status: 'paid',
    });
    await emulator.waitForDeliveries();
    expect(emulator.events.map((event) => event.type)).toEqual([
      'checkout.session.completed',
      'payment_intent.succeeded',
      'checkout.session.async_payment_succeeded',
    ]);
  });

  it('an API-created Checkout Session has a page at its url that pays and redirects to success_url', async () => {
    const price = await stripe.prices.create({
      currency: 'usd',
      unit_amount: 3000,
      product_data: { name: 'Tryout' },
    });
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      line_items: [{ price: price.id, quantity: 2 }],
      success_url: 'https://club.example/done/{CHECKOUT_SESSION_ID}',
      customer_email: 'parent@example.com',
    });
    const { html } = await page(session.url ?? '');
    expect(html).toContain('$60.00');
    expect(html).toMatch(/Tryout × 2\s*<\/span>/);
    expect(html).not.toContain('Pay by bank debit');

    const response = await submit(`${session.url}/pay`, { method: 'card' });
    expect(response.headers.get('location')).toBe(`https://club.example/done/${session.id}`);
    await expect(submit(`${session.url}/pay`, { method: 'card' })).resolves.toMatchObject({
      status: 409,
    });
  });

  it('answers an unknown link with a 404 page', async () => {
    expect((await page(`${emulator.url}/b/plink_missing`)).status).toBe(404);
  });
});
