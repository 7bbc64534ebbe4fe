import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool, type PoolClient } from 'pg';
import PgBoss from 'pg-boss';
import { orderStatusesBefore } from '../../src/orders/order-status';
import { countStatementsUntilStopped } from './query-counter';

/**
 * The `webhooks` benchmark's lower bound, in a process of its own like the service it is
 * compared with (forked by `startBareWebhookReceiver`): the minimal correct receiver of a card
 * payment's `checkout.session.completed`, written with `node:http` and `pg` alone. It checks the
 * Stripe-Signature as Stripe's SDK does (HMAC-SHA256 of `<t>.<body>`, constant-time compare,
 * 5-minute tolerance), then makes, in one transaction, exactly the writes the money rules require
 * of a payment: the inbox row (a duplicate changes nothing), the order locked and its guarded
 * move to paid, the link retired, the audit row, the link's deactivation job, the inbox row's
 * outcome. Each statement is prepared once per connection, as the service prepares its own.
 */
export type BareReceiverRequest =
  | { type: 'start'; databaseUrl: string; poolSize: number; secret: string; queue: string }
  | { type: 'count'; pattern: string }
  | { type: 'counted' }
  | { type: 'close' };

export type BareReceiverReply =
  | { type: 'started'; url: string }
  | { type: 'counting' }
  | { type: 'counted'; all: number; matching: number }
  | { type: 'closed' }
  | { type: 'error'; message: string };

/** Stripe's default tolerance for a signature's timestamp. */
const TOLERANCE_SECONDS = 300;
const PAID_FROM = orderStatusesBefore('paid');

const SQL = {
  inbox: `INSERT INTO stripe_events (id, type, livemode, api_version, payload) VALUES ($1, $2, $3, $4, $5)
          ON CONFLICT (id) DO NOTHING RETURNING id`,
  lockOrder: `SELECT player_id, product_id, amount_cents, currency FROM orders
              WHERE id = $1 AND tenant_id = $2 FOR UPDATE`,
  pay: `UPDATE orders SET status = 'paid', amount_paid_cents = $3, stripe_payment_intent_id = $4,
               stripe_checkout_session_id = $5, paid_at = now(), updated_at = now()
        WHERE id = $1 AND tenant_id = $2 AND status = ANY($6::order_status[])`,
  retireLink: `UPDATE payment_links SET status = 'paid', paid_at = now()
               WHERE tenant_id = $1 AND stripe_payment_link_id = $2 AND status = 'active'`,
  audit: `INSERT INTO audit_log (tenant_id, actor, action, subject, data)
          VALUES ($1, 'stripe:webhook', 'order.paid', $2, $3)`,
  job: `INSERT INTO pgboss.job (name, data, retry_limit, retry_delay, retry_backoff, policy)
        VALUES ($1, $2, 10, 2, true, 'standard')`,
  outcome: `UPDATE stripe_events SET outcome = $2, tenant_id = $3, error = $4, processed_at = clock_timestamp()
            WHERE id = $1`,
} as const;

/** What the receiver reads of a `checkout.session.completed`. */
interface CompletedSession {
  id: string;
  payment_status: string;
  payment_intent: string | null;
  payment_link: string | null;
  amount_total: number | null;
  currency: string | null;
  metadata: Record<string, string> | null;
}

interface Event {
  id: string;
  type: string;
  livemode: boolean;
  api_version: string | null;
  data: { object: CompletedSession };
}

type Outcome = 'processed' | 'duplicate' | 'ignored' | 'unmatched' | 'needs_review';

let pool: Pool | undefined;
let queue = '';
let secret = '';

function isSigned(body: Buffer, header: string | undefined): boolean {
  if (!header) return false;
  let timestamp = NaN;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.split('=', 2);
    if (key === 't') timestamp = Number(value);
    else if (key === 'v1' && value) signatures.push(value);
  }
  if (!Number.isInteger(timestamp) || signatures.length === 0) return false;
  if (Math.abs(Date.now() / 1000 - timestamp) > TOLERANCE_SECONDS) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest();
  return signatures.some((signature) => {
    const given = Buffer.from(signature, 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const run = (client: PoolClient, name: keyof typeof SQL, values: unknown[]) =>
  client.query({ name: `bare_${name}`, text: SQL[name], values });

/** The event's transaction; its outcome is what the answer names. */
async function apply(body: string, event: Event): Promise<Outcome> {
  const client = await pool!.connect();
  try {
    await client.query('BEGIN');
    const inserted = await run(client, 'inbox', [
      event.id,
      event.type,
      event.livemode,
      event.api_version,
      body,
    ]);
    if (inserted.rowCount === 0) {
      await client.query('COMMIT');
      return 'duplicate';
    }
    const [outcome, tenantId, note] = await pay(client, event);
    await run(client, 'outcome', [event.id, outcome, tenantId, note]);
    await client.query('COMMIT');
    return outcome;
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

/** The order's payment: only for the order the metadata names, at its amount (money rule 8). */
async function pay(
  client: PoolClient,
  event: Event,
): Promise<[Outcome, number | null, string | null]> {
  const session = event.data.object;
  if (event.type !== 'checkout.session.completed' || session.payment_status !== 'paid')
    return ['ignored', null, 'not a card payment'];
  const tenantId = Number(session.metadata?.tenant_id);
  const orderId = Number(session.metadata?.order_id);
  if (!Number.isSafeInteger(tenantId) || !Number.isSafeInteger(orderId) || !session.payment_intent)
    return ['unmatched', null, 'no order named'];
  const { rows } = await run(client, 'lockOrder', [orderId, tenantId]);
  const order = rows[0] as
    { player_id: number; product_id: number; amount_cents: number; currency: string } | undefined;
  if (!order) return ['unmatched', null, 'no such order'];
  if (
    String(order.player_id) !== session.metadata?.player_id ||
    String(order.product_id) !== session.metadata?.product_id
  )
    return ['unmatched', tenantId, 'another player or product'];
  if (order.amount_cents !== session.amount_total || order.currency !== session.currency)
    return ['needs_review', tenantId, 'another amount'];
  const paid = await run(client, 'pay', [
    orderId,
    tenantId,
    session.amount_total,
    session.payment_intent,
    session.id,
    PAID_FROM,
  ]);
  if (paid.rowCount === 0) return ['ignored', tenantId, 'not payable'];
  if (session.payment_link) {
    await run(client, 'retireLink', [tenantId, session.payment_link]);
    await run(client, 'job', [
      queue,
      JSON.stringify({ tenantId, stripePaymentLinkId: session.payment_link }),
    ]);
  }
  await run(client, 'audit', [
    tenantId,
    `order:${orderId}`,
    JSON.stringify({ payment_intent: session.payment_intent, checkout_session: session.id }),
  ]);
  return ['processed', tenantId, null];
}

function answer(res: ServerResponse, status: number, body: object): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function receive(req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const signature = req.headers['stripe-signature'];
    if (!isSigned(body, typeof signature === 'string' ? signature : undefined))
      return answer(res, 400, { error: 'bad signature' });
    const text = body.toString('utf8');
    let event: Event;
    try {
      event = JSON.parse(text) as Event;
    } catch {
      return answer(res, 400, { error: 'not JSON' });
    }
    apply(text, event).then(
      (outcome) => answer(res, 200, { received: true, outcome }),
      (error: Error) => answer(res, 500, { error: error.message }),
    );
  });
}

const server = createServer(receive);
let counted: (() => Promise<{ all: number; matching: number }>) | undefined;

const reply = (message: BareReceiverReply): void => void process.send!(message);

async function handle(request: BareReceiverRequest): Promise<void> {
  if (request.type === 'start') {
    secret = request.secret;
    queue = request.queue;
    // The job table is partitioned by queue: the service creates its queues as it starts.
    const boss = new PgBoss({
      connectionString: request.databaseUrl,
      supervise: false,
      schedule: false,
    });
    await boss.start();
    await boss.createQueue(queue);
    await boss.stop({ graceful: false, wait: true });
    pool = new Pool({ connectionString: request.databaseUrl, max: request.poolSize });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    reply({ type: 'started', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  } else if (request.type === 'count') {
    counted = countStatementsUntilStopped(new RegExp(request.pattern));
    reply({ type: 'counting' });
  } else if (request.type === 'counted') {
    const counts = (await counted?.()) ?? { all: 0, matching: 0 };
    counted = undefined;
    reply({ type: 'counted', ...counts });
  } else {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await pool?.end();
    reply({ type: 'closed' });
    process.exit(0);
  }
}

process.on('message', (request: BareReceiverRequest) => {
  handle(request).catch((error: Error) => reply({ type: 'error', message: error.message }));
});
process.on('disconnect', () => process.exit(0));
