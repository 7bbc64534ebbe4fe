import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { TEST_WEBHOOK_SECRET } from './webhook-secret';
import {
  EMULATED_API_VERSION,
  signStripePayload,
  type StripeEmulator,
  type StripeEvent,
  type StripeEventType,
} from '../../src/stripe-emulator';
import { WebhookReceiver } from '../../src/stripe-emulator/testing/webhook-receiver';
import type { TestApp } from './app';

/** The signature the app accepts in emulator mode, over exactly these bytes. */
export const signed = (body: string, timestamp?: number): string =>
  signStripePayload(body, TEST_WEBHOOK_SECRET, timestamp);

/** POSTs raw bytes to the app's webhook route, as Stripe does; no signature when none is given. */
export function postWebhook(t: TestApp, body: string, signature?: string): request.Test {
  const post = t.http().post('/webhooks/stripe').set('Content-Type', 'application/json');
  return (signature === undefined ? post : post.set('Stripe-Signature', signature)).send(body);
}

/** The exact bytes the emulator delivers for one of its events. */
export const payloadOf = (event: StripeEvent): string => JSON.stringify(event, null, 2);

/**
 * An event envelope Stripe could send but the emulator will not produce (foreign metadata,
 * another mode, an unhandled type): the test signs and posts it itself.
 */
export function craftEvent(
  type: StripeEventType | string,
  object: object,
  overrides: { livemode?: boolean } = {},
): { id: string; body: string } {
  const id = `evt_test_${randomBytes(12).toString('hex')}`;
  const event = {
    id,
    object: 'event',
    api_version: EMULATED_API_VERSION,
    created: Math.floor(Date.now() / 1000),
    data: { object },
    livemode: overrides.livemode ?? false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
  return { id, body: JSON.stringify(event, null, 2) };
}

/** Every event about one object: a session (by id) or a payment (by PaymentIntent). */
export function eventsAbout(emulator: StripeEmulator, id: string): StripeEvent[] {
  return emulator.events.filter((event) => {
    const object = event.data.object as { id: string; payment_intent?: unknown };
    return object.id === id || object.payment_intent === id;
  });
}

export function eventOf(
  emulator: StripeEmulator,
  id: string,
  type: StripeEventType,
  nth = 0,
): StripeEvent {
  const found = eventsAbout(emulator, id).filter((event) => event.type === type)[nth];
  if (!found) throw new Error(`The emulator has no ${type} event #${nth + 1} about ${id}`);
  return found;
}

/**
 * Parks the emulator's deliveries at a local endpoint that answers 200, so Stripe considers
 * them delivered while the app has seen none; `release` points the emulator back at the app,
 * and the test delivers the stored events (`emulator.redeliver`) in the order it chooses.
 */
export async function holdDeliveries(
  emulator: StripeEmulator,
  t: TestApp,
): Promise<{ release: () => Promise<void> }> {
  const parking = await WebhookReceiver.start();
  emulator.setWebhookUrl(parking.url);
  return {
    release: async () => {
      await emulator.waitForDeliveries();
      emulator.setWebhookUrl(`${await t.app.getUrl()}/webhooks/stripe`);
      await parking.close();
    },
  };
}

/** Delivers stored events to the app one after another, in the given order; each must be 2xx. */
export async function deliverInOrder(emulator: StripeEmulator, events: StripeEvent[]) {
  const statuses: number[] = [];
  for (const event of events) statuses.push(await emulator.redeliver(event.id));
  return statuses;
}

export async function countOf(t: TestApp, sql: string, params: unknown[] = []): Promise<number> {
  const [{ count }] = (await t.db.query(`SELECT count(*)::int AS count FROM ${sql}`, params)) as {
    count: number;
  }[];
  return count;
}
