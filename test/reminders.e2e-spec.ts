import { Tenant } from '../src/club/entities/tenant.entity';
import { JobsService } from '../src/jobs/jobs.service';
import {
  REMINDERS_CRON,
  REMINDERS_QUEUE,
  RemindersService,
} from '../src/email/services/reminders.service';
import type { StripeEmulator } from '../src/stripe-emulator';
import type { TestApp } from './support/app';
import { eventually } from './support/eventually';
import { factories, TestClub } from './support/factories';
import { SmtpSink } from './support/smtp-sink';
import { withStripeApp } from './support/stripe';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** No quiet hours (start = end): tests that run at the real time of day stay deterministic. */
const NEVER_QUIET: Partial<Tenant> = {
  timezone: 'UTC',
  quietHoursStart: '00:00',
  quietHoursEnd: '00:00',
};

describe('reminders: each step reaches each overdue family once (M6)', () => {
  let sink: SmtpSink;
  let stripe: StripeEmulator;
  let t: TestApp;
  let club: TestClub;
  let reminders: RemindersService;
  let scheduled: { name: string; cron: string; timezone: string }[];

  withStripeApp((made) => ({ stripe, t, club, sink } = made), {
    sink: () => SmtpSink.start(),
    club: { name: 'Riverside Hoops', ...NEVER_QUIET },
    env: { SCHEDULED_JOBS: 'on' },
  });

  beforeAll(async () => {
    reminders = t.app.get(RemindersService);
    scheduled = (await t.db.query(
      `SELECT name, cron, timezone FROM pgboss.schedule WHERE name = $1`,
      [REMINDERS_QUEUE],
    )) as typeof scheduled;
    // Only the times each test chooses run reminders here: a tick of the real hourly schedule (or
    // the month run's) in the middle of a test would mail its families at the wall-clock time.
    await t.db.query(`DELETE FROM pgboss.schedule`);
  });

  /** A family owing one item per `made` date, each order with an active pay link. */
  async function familyOwing(
    tenantId: number,
    made: Date[],
  ): Promise<{ email: string; parentId: number; orderIds: number[] }> {
    const f = factories(t.db);
    const { parent, links } = await f.familyOwing(
      tenantId,
      made.map((_, index) => ({
        player: 'Mia Chen',
        product: `Monthly dues ${index + 1}`,
        amountCents: 12_500,
      })),
    );
    const orderIds = links.map((link) => link.orderId);
    for (const [index, orderId] of orderIds.entries())
      await t.db.query(`UPDATE orders SET created_at = $2 WHERE id = $1`, [orderId, made[index]]);
    return { email: parent.email!, parentId: parent.id, orderIds };
  }

  const remindersTo = (email: string) =>
    sink.messagesTo(email).filter((mail) => mail.subject.includes('reminder'));

  const stepsOf = async (parentId: number) =>
    (
      (await t.db.query(
        `SELECT order_id, step FROM reminders_sent WHERE parent_id = $1 ORDER BY order_id, step`,
        [parentId],
      )) as { order_id: number; step: number }[]
    ).map((row) => `${row.order_id}:${row.step}`);

  it('registers the hourly reminder run as a pg-boss cron schedule in UTC', () => {
    expect(scheduled).toEqual([{ name: REMINDERS_QUEUE, cron: REMINDERS_CRON, timezone: 'UTC' }]);
  });

  it('sends the step-3 reminder once however often the job runs, then the step-10 one on day 10, each listing all the family owes', async () => {
    // Midday (UTC, the club's zone): steps count the club's days, and an order made an hour
    // before `now` must fall on the same day whatever the hour the suite runs.
    const now = new Date();
    now.setUTCHours(12, 0, 0, 0);
    const family = await familyOwing(club.tenant.id, [
      new Date(now.getTime() - 3 * DAY),
      new Date(now.getTime() - HOUR), // owed, not overdue: listed in the mail, no step recorded
    ]);
    const [overdue, fresh] = family.orderIds;

    await reminders.sendDue(new Date(now.getTime() - DAY), { tenantId: club.tenant.id });
    expect(remindersTo(family.email)).toHaveLength(0);

    await reminders.sendDue(now, { tenantId: club.tenant.id });
    await reminders.sendDue(new Date(now.getTime() + 2 * HOUR), { tenantId: club.tenant.id });
    const [first, ...more] = remindersTo(family.email);
    expect(more).toHaveLength(0);
    expect(first.subject).toBe('Riverside Hoops: reminder, $250.00 past due');
    expect(first.text).toContain('A friendly reminder: the items below are past due.');
    expect(first.text).toContain('Mia Chen, Monthly dues 1: $125.00');
    expect(first.text).toContain('Mia Chen, Monthly dues 2: $125.00');
    expect(first.html).toContain('data-reminder');
    expect(await stepsOf(family.parentId)).toEqual([`${overdue}:3`]);

    // Past the minimum interval, before day 10: step 3 went already, so nothing goes.
    await reminders.sendDue(new Date(now.getTime() + 2 * DAY), { tenantId: club.tenant.id });
    expect(remindersTo(family.email)).toHaveLength(1);

    await reminders.sendDue(new Date(now.getTime() + 7 * DAY), { tenantId: club.tenant.id });
    expect(remindersTo(family.email)).toHaveLength(2);
    expect(await stepsOf(family.parentId)).toEqual([`${overdue}:3`, `${overdue}:10`, `${fresh}:3`]);
  });

  it("counts a monthly order's steps from its month run's date, not from when the order was made", async () => {
    const now = new Date();
    const family = await familyOwing(club.tenant.id, [new Date(now.getTime() - 40 * DAY)]);
    const [orderId] = family.orderIds;
    const runOn = new Date(now.getTime() - 2 * DAY).toISOString().slice(0, 10);
    await t.db.query(`UPDATE orders SET billing_period = '2026-11-01' WHERE id = $1`, [orderId]);
    await t.db.query(
      `INSERT INTO billing_runs (tenant_id, period, run_on, status) VALUES ($1, '2026-11-01', $2, 'done')`,
      [club.tenant.id, runOn],
    );

    await reminders.sendDue(now, { tenantId: club.tenant.id });
    expect(remindersTo(family.email)).toHaveLength(0);

    await reminders.sendDue(new Date(now.getTime() + DAY), { tenantId: club.tenant.id });
    expect(remindersTo(family.email)).toHaveLength(1);
    expect(await stepsOf(family.parentId)).toEqual([`${orderId}:3`]);
  });

  it('sends no reminder for an item the family has paid, even while it owes another', async () => {
    const f = factories(t.db);
    const parent = await f.parent(club.tenant.id, { email: 'paid@families.example' });
    const player = await f.player(club.tenant.id, { parentId: parent.id, name: 'Leo Park' });
    const paid = await f.order(club.tenant.id, { playerId: player.id, amountCents: 9_000 });
    const link = (await t.as(club.apiKey).post(`/admin/orders/${paid.id}/payment-link`).expect(201))
      .body as { stripe_payment_link_id: string };
    // Still owed, not overdue yet: in the family's statement, never the reason for a reminder.
    await f.paymentLink(await f.order(club.tenant.id, { playerId: player.id }));
    const now = new Date();
    await t.db.query(`UPDATE orders SET created_at = $2 WHERE id = $1`, [
      paid.id,
      new Date(now.getTime() - 11 * DAY),
    ]);

    await stripe.pay(link.stripe_payment_link_id);
    await stripe.waitForDeliveries();
    await eventually(async () => {
      const [row] = (await t.db.query(`SELECT status FROM orders WHERE id = $1`, [paid.id])) as {
        status: string;
      }[];
      expect(row.status).toBe('paid');
    });

    await reminders.sendDue(now, { tenantId: club.tenant.id });
    await reminders.sendDue(new Date(now.getTime() + DAY), { tenantId: club.tenant.id });
    expect(remindersTo(parent.email!)).toHaveLength(0);
    expect(await stepsOf(parent.id)).toEqual([]);
    // Not even written: the search itself leaves the paid order out.
    const written = (await t.db.query(
      `SELECT id FROM email_messages WHERE parent_id = $1 AND email_type = 'reminder'`,
      [parent.id],
    )) as unknown[];
    expect(written).toHaveLength(0);
  });

  it('a reminder written before the family paid is not sent: the due check is made again when sending', async () => {
    const now = new Date();
    const family = await familyOwing(club.tenant.id, [new Date(now.getTime() - 4 * DAY)]);
    const [orderId] = family.orderIds;
    // As a run that crashed after writing its message, before sending it.
    const [message] = (await t.db.query(
      `INSERT INTO email_messages (tenant_id, email_type, attempts, status, parent_id, message_key,
                                   recipient, subject, html, text_body, content_digest)
       VALUES ($1, 'reminder', 0, 'queued', $2, $3, $4, 'Riverside Hoops: reminder, $125.00 past due',
               '<p>reminder</p>', 'reminder', 'crashed')
       RETURNING id`,
      [club.tenant.id, family.parentId, `reminder:${family.parentId}:crashed`, family.email],
    )) as { id: number }[];
    await t.db.query(
      `INSERT INTO reminders_sent (tenant_id, parent_id, order_id, step, email_message_id)
       VALUES ($1, $2, $3, 3, $4)`,
      [club.tenant.id, family.parentId, orderId, message.id],
    );
    await t.db.query(
      `UPDATE orders SET status = 'paid', amount_paid_cents = amount_cents, paid_at = now() WHERE id = $1`,
      [orderId],
    );

    await reminders.sendDue(now, { tenantId: club.tenant.id });
    expect(remindersTo(family.email)).toHaveLength(0);
    const [row] = (await t.db.query(
      `SELECT status, skip_reason FROM email_messages WHERE id = $1`,
      [message.id],
    )) as { status: string; skip_reason: string }[];
    expect(row).toEqual({ status: 'skipped', skip_reason: 'no_longer_due' });
  });

  it("sends nothing in the club's quiet hours, read in its time zone on the day clocks spring forward", async () => {
    // America/New_York springs forward at 02:00 on 2027-03-14: 11:30Z is 07:30 EDT (quiet until
    // 08:00), 12:05Z is 08:05 EDT. A fixed EST offset would call both quiet.
    const ny = await factories(t.db).club({ name: 'Harbor FC', timezone: 'America/New_York' });
    const family = await familyOwing(ny.tenant.id, [new Date('2027-03-01T15:00:00Z')]);

    const quiet = await reminders.sendDue(new Date('2027-03-14T11:30:00Z'), {
      tenantId: ny.tenant.id,
    });
    expect(quiet).toEqual([{ tenantId: ny.tenant.id, quiet: true, written: 0 }]);
    expect(remindersTo(family.email)).toHaveLength(0);

    await reminders.sendDue(new Date('2027-03-14T12:05:00Z'), { tenantId: ny.tenant.id });
    expect(remindersTo(family.email)).toHaveLength(1);
  });

  it("sends nothing in the club's quiet hours on the day clocks fall back", async () => {
    // America/New_York falls back at 02:00 on 2027-11-07: 12:30Z is 07:30 EST (quiet), 13:05Z is
    // 08:05 EST. A fixed EDT offset would call 12:30Z 08:30 and mail in quiet hours.
    const ny = await factories(t.db).club({ name: 'Harbor FC', timezone: 'America/New_York' });
    const family = await familyOwing(ny.tenant.id, [new Date('2027-10-20T15:00:00Z')]);

    await reminders.sendDue(new Date('2027-11-07T12:30:00Z'), { tenantId: ny.tenant.id });
    expect(remindersTo(family.email)).toHaveLength(0);

    await reminders.sendDue(new Date('2027-11-07T13:05:00Z'), { tenantId: ny.tenant.id });
    expect(remindersTo(family.email)).toHaveLength(1);
  });

  it('sends no reminder within BILLING_EMAIL_MIN_INTERVAL_HOURS of another billing mail to the family', async () => {
    const other = await factories(t.db).club({ name: 'Lakeside United', ...NEVER_QUIET });
    const now = new Date();
    const family = await familyOwing(other.tenant.id, [new Date(now.getTime() - 3 * DAY)]);
    await t.as(other.apiKey).post('/admin/email/outstanding-balance').expect(200);
    await eventually(() => expect(sink.messagesTo(family.email)).toHaveLength(1));

    await reminders.sendDue(now, { tenantId: other.tenant.id });
    await reminders.sendDue(new Date(now.getTime() + 23 * HOUR), { tenantId: other.tenant.id });
    expect(remindersTo(family.email)).toHaveLength(0);

    await reminders.sendDue(new Date(now.getTime() + 25 * HOUR), { tenantId: other.tenant.id });
    expect(remindersTo(family.email)).toHaveLength(1);
  });

  it('two runs of the job at once send each family one reminder', async () => {
    const twice = await factories(t.db).club({ name: 'Northside Juniors', ...NEVER_QUIET });
    const now = new Date();
    const families = [
      await familyOwing(twice.tenant.id, [new Date(now.getTime() - 3 * DAY)]),
      await familyOwing(twice.tenant.id, [new Date(now.getTime() - 11 * DAY)]),
      await familyOwing(twice.tenant.id, [new Date(now.getTime() - 5 * DAY)]),
    ];

    await Promise.all([
      reminders.sendDue(now, { tenantId: twice.tenant.id }),
      reminders.sendDue(now, { tenantId: twice.tenant.id }),
    ]);
    for (const family of families) expect(remindersTo(family.email)).toHaveLength(1);
    const [counts] = (await t.db.query(
      `SELECT count(*)::int AS messages, count(DISTINCT parent_id)::int AS families
       FROM email_messages WHERE tenant_id = $1 AND email_type = 'reminder'`,
      [twice.tenant.id],
    )) as { messages: number; families: number }[];
    expect(counts).toEqual({ messages: 3, families: 3 });
    // The family 11 days overdue has steps 3 and 10 in its one message.
    expect(await stepsOf(families[1].parentId)).toEqual([
      `${families[1].orderIds[0]}:3`,
      `${families[1].orderIds[0]}:10`,
    ]);
  });

  it('GET /admin/reminders lists what went: parent, order, step, when, and the message status', async () => {
    const listed = await factories(t.db).club({ name: 'Westside Wolves', ...NEVER_QUIET });
    const now = new Date();
    const family = await familyOwing(listed.tenant.id, [new Date(now.getTime() - 11 * DAY)]);
    await reminders.sendDue(now, { tenantId: listed.tenant.id });

    const all = await t.as(listed.apiKey).get('/admin/reminders').expect(200);
    expect(all.body).toMatchObject({
      data: [
        {
          parent_id: family.parentId,
          order_id: family.orderIds[0],
          step: 3,
          message_status: 'sent',
        },
        {
          parent_id: family.parentId,
          order_id: family.orderIds[0],
          step: 10,
          message_status: 'sent',
        },
      ],
      has_more: false,
    });
    expect(typeof (all.body as { data: { sent_at: string }[] }).data[0].sent_at).toBe('string');

    const page = await t.as(listed.apiKey).get('/admin/reminders?limit=1').expect(200);
    expect(page.body).toMatchObject({ data: [{ step: 3 }], has_more: true });
    const failed = await t.as(listed.apiKey).get('/admin/reminders?status=failed').expect(200);
    expect(failed.body).toEqual({ data: [], has_more: false });
    await t.as(listed.apiKey).get('/admin/reminders?status=lost').expect(400);
    await t.http().get('/admin/reminders').expect(401);
    // Another club's key sees none of them.
    const theirs = await t.as(club.apiKey).get('/admin/reminders').expect(200);
    expect(
      (theirs.body as { data: { parent_id: number }[] }).data.map((row) => row.parent_id),
    ).not.toContain(family.parentId);
  });

  it('a job on the reminders queue runs the reminders of every club at the current time', async () => {
    const viaJob = await factories(t.db).club({ name: 'Eastside Eagles', ...NEVER_QUIET });
    const family = await familyOwing(viaJob.tenant.id, [new Date(Date.now() - 3 * DAY)]);
    await t.app.get(JobsService).send(REMINDERS_QUEUE, {});
    await eventually(() => expect(remindersTo(family.email)).toHaveLength(1), 20_000);
  });
});
