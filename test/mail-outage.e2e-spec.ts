import type { StripeEmulator } from '../src/stripe-emulator';
import type { TestApp } from './support/app';
import { eventually } from './support/eventually';
import { factories, TestClub } from './support/factories';
import { HangingSmtpServer, type HangMode } from './support/hanging-smtp-server';
import { SmtpSink } from './support/smtp-sink';
import { withStripeApp } from './support/stripe';
import { eventOf } from './support/webhook-events';

/** Every mail timeout, short enough for a test and far longer than a webhook's answer takes. */
const MAIL_TIMEOUT_MS = 3000;

interface Blast {
  id: number;
  status: string;
  recipient_count: number;
  counts: { queued: number; sent: number; failed: number };
  failures: { parent_id: number; error: string }[];
}

describe.each<HangMode>(['silent', 'stalls-mid-transaction'])(
  'a mail server that hangs (%s)',
  (mode) => {
    let hung: HangingSmtpServer;
    let sink: SmtpSink | undefined;
    let stripe: StripeEmulator;
    let t: TestApp;
    let club: TestClub;

    beforeAll(async () => {
      hung = await HangingSmtpServer.start(mode);
    });
    withStripeApp((made) => ({ stripe, t, club } = made), {
      env: () => ({
        SMTP_URL: hung.url,
        MAIL_TRANSPORT: 'smtp',
        SMTP_CONNECTION_TIMEOUT_MS: String(MAIL_TIMEOUT_MS),
        SMTP_GREETING_TIMEOUT_MS: String(MAIL_TIMEOUT_MS),
        SMTP_SOCKET_TIMEOUT_MS: String(MAIL_TIMEOUT_MS),
      }),
    });
    // After the app has closed.
    afterAll(async () => {
      await hung.close();
      await sink?.close();
    });

    /** A family owing one item, with a real pay link at the emulator. */
    async function owingFamily(name: string) {
      const f = factories(t.db);
      const email = `${name.toLowerCase()}-${mode}@families.example`;
      const parent = await f.parent(club.tenant.id, { name, email });
      const player = await f.player(club.tenant.id, { parentId: parent.id });
      const order = await f.order(club.tenant.id, { playerId: player.id, parentId: parent.id });
      const link = (
        await t.as(club.apiKey).post(`/admin/orders/${order.id}/payment-link`).expect(201)
      ).body as { stripe_payment_link_id: string };
      return { email, order, link: link.stripe_payment_link_id };
    }

    const blastOf = async (id: number) =>
      (await t.as(club.apiKey).get(`/admin/email/blasts/${id}`).expect(200)).body as Blast;
    const receiptOf = async (orderId: number) =>
      (
        (await t.db.query(
          `SELECT status, error FROM email_messages WHERE tenant_id = $1 AND receipt_order_id = $2`,
          [club.tenant.id, orderId],
        )) as { status: string; error: string | null }[]
      )[0];
    /** Lets anything that would wrongly send again have the time to do it. */
    const settle = () => new Promise((resolve) => setTimeout(resolve, 1_500));

    it('during a blast and a payment, the webhook answers while the send hangs; the sends time out and fail; when the server comes back no family gets a second copy, and retrying the blast mails each family once (E7)', async () => {
      const families = [
        await owingFamily('Alvarez'),
        await owingFamily('Baker'),
        await owingFamily('Chen'),
      ];

      const started = (await t.as(club.apiKey).post('/admin/email/outstanding-balance').expect(200))
        .body as Blast & { sent: boolean };
      expect(started).toMatchObject({ sent: true, recipient_count: 3 });
      await hung.waitForConnections(1);

      // A payment while the blast's sends hang: its webhook answers, and its receipt is queued.
      const session = await stripe.pay(families[0].link);
      await stripe.waitForDeliveries();
      const [delivery] = stripe.deliveries.filter(
        (d) => d.eventId === eventOf(stripe, session.id, 'checkout.session.completed').id,
      );
      expect(delivery.status).toBe(200);
      // Answered while a connection to the hung server was open, before any send timed out.
      expect(hung.connections.some((c) => c.openedAt <= delivery.at)).toBe(true);
      expect(
        hung.connections.filter((c) => c.closedAt !== undefined && c.closedAt <= delivery.at),
      ).toEqual([]);
      await eventually(async () => {
        expect(
          (await t.as(club.apiKey).get(`/admin/orders/${families[0].order.id}`)).body,
        ).toMatchObject({ status: 'paid' });
      });

      // Every send times out: the blast's messages and the receipt are failed, not left hanging.
      const failed = await eventually(async () => {
        const blast = await blastOf(started.id);
        expect(blast).toMatchObject({
          status: 'failed',
          counts: { queued: 0, sent: 0, failed: 3 },
        });
        expect(await receiptOf(families[0].order.id)).toMatchObject({ status: 'failed' });
        return blast;
      }, 30_000);
      // nodemailer's words: "Greeting never received" (silent), "Timeout" (stalled).
      const timedOut = /greeting never received|timeout/i;
      for (const failure of failed.failures) expect(failure.error).toMatch(timedOut);
      // A server that went quiet after greeting may have taken a message: the admin is told so
      // before retrying; one that never greeted took nothing.
      const maybeDelivered = /may have reached the family/;
      for (const failure of failed.failures)
        if (mode === 'silent') expect(failure.error).not.toMatch(maybeDelivered);
        else expect(failure.error).toMatch(maybeDelivered);
      expect((await receiptOf(families[0].order.id)).error).toMatch(timedOut);
      expect(hung.hanging).toEqual([]);
      for (const connection of hung.connections)
        expect(connection.closedAt! - connection.openedAt).toBeGreaterThanOrEqual(
          MAIL_TIMEOUT_MS - 100,
        );

      // The server comes back on the same address.
      const port = hung.port;
      await hung.close();
      sink = await SmtpSink.start(port);

      // A new payment's receipt goes out once; nothing that failed is sent again by itself.
      await stripe.pay(families[1].link);
      await stripe.waitForDeliveries();
      await sink.waitFor(1, 15_000);
      await settle();
      expect(sink.messages.map((m) => [m.to, m.subject])).toEqual([
        [[families[1].email], expect.stringContaining('payment received')],
      ]);
      expect(await receiptOf(families[0].order.id)).toMatchObject({ status: 'failed' });

      // The admin retries the blast: each family gets its statement exactly once.
      await t.as(club.apiKey).post(`/admin/email/blasts/${started.id}/retry-failed`).expect(200);
      await eventually(async () => {
        expect(await blastOf(started.id)).toMatchObject({
          status: 'sent',
          counts: { queued: 0, sent: 3, failed: 0 },
        });
      }, 15_000);
      await settle();
      const statements = sink.messages.filter((m) => m.headers['x-courtside-blast']);
      expect(statements.map((m) => m.to[0]).sort()).toEqual(families.map((f) => f.email).sort());
      expect(sink.messages).toHaveLength(4);
    });
  },
);
