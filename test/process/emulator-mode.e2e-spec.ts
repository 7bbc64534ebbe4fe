import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import { simpleParser } from 'mailparser';
import request from 'supertest';
import { signStripePayload } from '../../src/stripe-emulator';
import { eventually } from '../support/eventually';
import { Service } from '../support/service';
import { craftEvent } from '../support/webhook-events';

/** The constant the emulator used to sign with before S5: it must verify nothing now. */
const FORMER_CONSTANT_SECRET = 'whsec_courtside_emulator_not_a_secret';

interface StatementItem {
  order_id: number;
  pay_url: string;
}

/** The addresses of this machine other than loopback, where a stranger could knock. */
function outsideAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((address) => address && !address.internal)
    .map((address) => address!.address);
}

/**
 * The addresses the kernel says something listens on at `port` (Linux /proc/net/tcp and tcp6),
 * e.g. ['127.0.0.1']: true on any machine, whatever interfaces it has.
 */
function listeningOn(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((table) =>
    readFileSync(table, 'utf8')
      .split('\n')
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter(([, local, , state]) => state === '0A' && local?.endsWith(`:${hexPort}`))
      .map(([, local]) => {
        const hex = local.split(':')[0];
        if (hex.length === 8)
          return (hex.match(/../g) ?? [])
            .reverse()
            .map((byte) => parseInt(byte, 16))
            .join('.');
        return hex === '0'.repeat(32) ? '::' : hex === '0'.repeat(24) + '01000000' ? '::1' : hex;
      }),
  );
}

/** 'refused' when nothing listens there for a stranger, 'open' when a connection is taken. */
function knock(host: string, port: number): Promise<'open' | 'refused'> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 3_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve('open');
    });
    socket.once('error', () => resolve('refused'));
    socket.once('timeout', () => {
      socket.destroy();
      resolve('refused');
    });
  });
}

describe('npm start in emulator mode: nothing forged from the network, nothing lost in a restart', () => {
  let service: Service;
  let key: string;
  const admin = () => service.admin(key);

  beforeAll(async () => {
    service = await Service.create();
    await service.start();
    key = service.seededApiKey;
  }, 120_000);

  afterAll(() => service.dispose(), 60_000);

  const statementItems = async (): Promise<StatementItem[]> => {
    const res = await admin().get('/admin/balances/outstanding').expect(200);
    return (res.body.data as { items: StatementItem[] }[]).flatMap((family) => family.items);
  };

  const orderStatus = async (id: number): Promise<string> =>
    (await admin().get(`/admin/orders/${id}`).expect(200)).body.status as string;

  it('listens on loopback only, and a payment event signed with anything but its data folder secret is refused (S5)', async () => {
    expect(service.output).toContain(`listening on 127.0.0.1:${service.env.PORT}`);
    const ports = [Number(service.env.PORT), Number(service.env.STRIPE_EMULATOR_PORT)];
    for (const port of ports) {
      expect(listeningOn(port)).toEqual(['127.0.0.1']);
      for (const address of outsideAddresses())
        await expect(knock(address, port)).resolves.toBe('refused');
    }

    const [owed] = await statementItems();
    const order = (await admin().get(`/admin/orders/${owed.order_id}`).expect(200)).body;
    const forged = craftEvent('checkout.session.completed', {
      id: 'cs_test_forged',
      object: 'checkout.session',
      status: 'complete',
      payment_status: 'paid',
      amount_total: order.amount_cents,
      currency: order.currency,
      payment_intent: 'pi_forged',
      payment_link: order.stripe_payment_link_id,
      metadata: {
        tenant_id: '1',
        order_id: String(order.id),
        player_id: String(order.player_id),
        product_id: String(order.product_id),
      },
    });
    const post = (signature: string) =>
      request(service.baseUrl)
        .post('/webhooks/stripe')
        .set('Content-Type', 'application/json')
        .set('Stripe-Signature', signature)
        .send(forged.body);
    await post(signStripePayload(forged.body, FORMER_CONSTANT_SECRET)).expect(400);
    await post(signStripePayload(forged.body, 'whsec_a_guess')).expect(400);
    expect(await orderStatus(order.id)).toBe('pending');

    // The secret is the data folder's own, and the way to get it is the CLI.
    const printed = service.cli('stripe:webhook-secret');
    expect(printed.status).toBe(0);
    const secret = printed.stdout.trim();
    expect(secret).toMatch(/^whsec_[0-9a-f]{64}$/);
    expect(secret).not.toBe(FORMER_CONSTANT_SECRET);
    expect(
      readFileSync(path.join(service.dataDir, 'stripe-emulator', 'webhook-secret'), 'utf8'),
    ).toBe(`${secret}\n`);
    const harmless = craftEvent('customer.created', { id: 'cus_probe', object: 'customer' });
    await request(service.baseUrl)
      .post('/webhooks/stripe')
      .set('Content-Type', 'application/json')
      .set('Stripe-Signature', signStripePayload(harmless.body, secret))
      .send(harmless.body)
      .expect(200);
  });

  it('refuses to start the emulator against a DATABASE_URL unless STRIPE_MODE=emulator is set (S5)', () => {
    for (const entry of ['main.js', 'cli.js']) {
      const run = spawnSync(
        process.execPath,
        [
          path.resolve(__dirname, '../../dist/src', entry),
          ...(entry === 'cli.js' ? ['migrate'] : []),
        ],
        {
          env: {
            ...process.env,
            ...service.env,
            DATABASE_URL: 'postgres://courtside@127.0.0.1:1/somebodys_real_data',
          },
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('STRIPE_MODE=emulator');
    }
  });

  it('a Pay Now link mailed before two restarts still opens, takes the payment and pays its order; another can be deactivated; minting reuses the earlier price (S6)', async () => {
    const sent = await admin().post('/admin/email/outstanding-balance').expect(200);
    await eventually(async () => {
      const blast = await admin().get(`/admin/email/blasts/${sent.body.id}`).expect(200);
      expect(blast.body.status).toBe('sent');
    }, 30_000);
    const outbox = path.join(service.dataDir, 'outbox');
    const [eml] = readdirSync(outbox).filter((file) => file.endsWith('.eml'));
    const mail = await simpleParser(readFileSync(path.join(outbox, eml)));
    const mailedUrl = /href="(http:\/\/localhost:\d+\/b\/plink_\w+)"/.exec(String(mail.html))?.[1];
    expect(mailedUrl).toBeDefined();
    const items = await statementItems();
    const mailed = items.find((item) => item.pay_url === mailedUrl)!;
    const other = items.find((item) => item.pay_url !== mailedUrl)!;
    const links = async (orderId: number) =>
      (await admin().get(`/admin/payment-links?order_id=${orderId}`).expect(200)).body.data as {
        id: number;
      }[];
    const [otherLink] = await links(other.order_id);

    await expect(service.stop('SIGTERM')).resolves.toBe(0);
    await service.start();
    await expect(service.stop('SIGKILL')).resolves.toBe('SIGKILL');
    await service.start();

    const page = await fetch(mailedUrl!);
    expect(page.status).toBe(200);
    await expect(page.text()).resolves.toContain('>Pay<');
    const plink = mailedUrl!.split('/').pop()!;
    await request(service.emulatorUrl).post(`/_emulator/payment-links/${plink}/pay`).expect(200);
    await eventually(async () => expect(await orderStatus(mailed.order_id)).toBe('paid'), 15_000);

    await admin().post(`/admin/payment-links/${otherLink.id}/deactivate`).expect(200);
    await admin().post(`/admin/orders/${other.order_id}/cancel`).expect(200);

    // A new order at an amount sold before: its link reuses the product and price made before
    // the restarts (the emulator's request log starts with this process).
    const order = (await admin().get(`/admin/orders/${other.order_id}`).expect(200)).body;
    const again = await admin()
      .post('/admin/orders')
      .send({
        player_id: order.player_id,
        product_id: order.product_id,
        amount_cents: order.amount_cents,
      })
      .expect(201);
    const minted = await admin().post(`/admin/orders/${again.body.id}/payment-link`).expect(201);
    const posts = (
      (await request(service.emulatorUrl).get('/_emulator/requests').expect(200)).body as {
        method: string;
        path: string;
        status: number;
      }[]
    ).filter((call) => call.method === 'POST');
    expect(posts.filter((call) => /^\/v1\/(products|prices)$/.test(call.path))).toEqual([]);
    expect(posts.every((call) => call.status === 200)).toBe(true);
    expect((await fetch(minted.body.url as string)).status).toBe(200);
  }, 240_000);
});
