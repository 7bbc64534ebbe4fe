import { ReceiptsService } from '../src/email/services/receipts.service';
import type { StripeEmulator } from '../src/stripe-emulator';
import type { TestApp } from './support/app';
import { eventually } from './support/eventually';
import { factories, TestClub } from './support/factories';
import { SmtpSink } from './support/smtp-sink';
import { withStripeApp } from './support/stripe';
import { eventOf } from './support/webhook-events';

describe('receipts: a parent is mailed once per payment', () => {
  let sink: SmtpSink;
  let stripe: StripeEmulator;
  let t: TestApp;
  let club: TestClub;

  withStripeApp((made) => ({ stripe, t, club, sink } = made), {
    sink: () => SmtpSink.start(),
    club: { name: 'Riverside Hoops' },
  });

  it('sends the receipt once after a payment, even when the payment event is delivered again', async () => {
    const f = factories(t.db);
    const parent = await f.parent(club.tenant.id, { email: 'ana@families.example' });
    const player = await f.player(club.tenant.id, { parentId: parent.id, name: 'Mia Chen' });
    const product = await f.product(club.tenant.id, { name: 'Monthly dues' });
    const order = await f.order(club.tenant.id, {
      playerId: player.id,
      productId: product.id,
      amountCents: 12_500,
    });
    const link = (
      await t.as(club.apiKey).post(`/admin/orders/${order.id}/payment-link`).expect(201)
    ).body as { stripe_payment_link_id: string };

    const session = await stripe.pay(link.stripe_payment_link_id);
    await stripe.waitForDeliveries();
    const [receipt] = await eventually(() => {
      const mails = sink.messagesTo(parent.email!);
      expect(mails).toHaveLength(1);
      return mails;
    });
    expect(receipt.subject).toBe('Riverside Hoops: payment received for Mia Chen, $125.00');
    expect(receipt.text).toContain('Monthly dues');

    expect(
      await stripe.redeliver(eventOf(stripe, session.id, 'checkout.session.completed').id),
    ).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(sink.messagesTo(parent.email!)).toHaveLength(1);
    const rows = (await t.db.query(
      `SELECT status, attempts FROM email_messages WHERE tenant_id = $1 AND receipt_order_id = $2`,
      [club.tenant.id, order.id],
    )) as { status: string; attempts: number }[];
    expect(rows).toEqual([{ status: 'sent', attempts: 1 }]);
  });

  it('a receipt job run again for the same order sends nothing more', async () => {
    const f = factories(t.db);
    const parent = await f.parent(club.tenant.id, { email: 'ben@families.example' });
    const order = await f.order(club.tenant.id, {
      parentId: parent.id,
      playerId: (await f.player(club.tenant.id, { parentId: parent.id })).id,
      status: 'paid',
      amountPaidCents: 5_000,
      paidAt: new Date(),
    });
    const receipts = t.app.get(ReceiptsService);
    await Promise.all([
      receipts.sendReceipt(club.tenant.id, order.id),
      receipts.sendReceipt(club.tenant.id, order.id),
    ]);
    await receipts.sendReceipt(club.tenant.id, order.id);
    expect(sink.messagesTo(parent.email!)).toHaveLength(1);
  });
});
