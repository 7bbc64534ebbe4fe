import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CheckoutSession, PaymentMethod, StripeEvent } from '../objects/api-objects';
import type { FaultKind, FaultSpec } from '../reliability/fault-injector';
import type { CompleteOptions, SettleOutcome } from '../payments/payment-flow';
import { isTestCardToken, TEST_CARD_TOKENS, type TestCardToken } from '../payments/test-cards';
import type { RecordedRequest } from '../server/api-pipeline';
import { headerValue, readBody, sendJson } from '../server/http-io';
import { StripeApiError } from '../stripe-api-error';
import type { Delivery } from '../webhooks/webhook-dispatcher';

/** The emulator's test methods the control surface wraps. */
export interface EmulatorControls {
  readonly events: ReadonlyArray<StripeEvent>;
  readonly deliveries: ReadonlyArray<Delivery>;
  readonly requests: ReadonlyArray<RecordedRequest>;
  injectFault(fault: FaultSpec): void;
  clearFaults(): void;
  setRateLimit(perSecond: number): void;
  setLatency(ms: number): void;
  setWebhookUrl(url: string): void;
  openSession(paymentLinkId: string): Promise<CheckoutSession>;
  pay(paymentLinkId: string, options?: CompleteOptions): Promise<CheckoutSession>;
  completeSession(sessionId: string, options?: CompleteOptions): Promise<CheckoutSession>;
  settleBankDebit(sessionId: string, outcome: SettleOutcome): Promise<void>;
  expireSession(sessionId: string): Promise<void>;
  dispute(paymentIntentId: string): Promise<void>;
  detachCard(customerId: string, paymentMethodId?: string): Promise<PaymentMethod[]>;
  redeliver(eventId: string): Promise<number>;
  waitForDeliveries(): Promise<void>;
}

type Body = Record<string, string | number | undefined>;
type ControlAction = (body: Body, id: string) => Promise<unknown> | unknown;

/** Bad input to a control: answered 400 with its message. */
class ControlInputError extends Error {}

/**
 * `/_emulator/…`: the same controls over HTTP, for a browser test or an app in another process.
 * JSON (or form) bodies in snake_case; answers are JSON. Not rate-limited, no API key.
 *
 *   GET  events | deliveries | requests
 *   POST faults {kind, when?, method?, path? | path_pattern?, times?, nth?, latency_ms?}
 *   POST faults/clear · rate-limit {per_second} · latency {ms} · webhook-url {url}
 *   POST payment-links/:id/open · payment-links/:id/pay {method?, email?, card?}
 *   POST checkout-sessions/:id/complete {method?, email?, card?} · …/settle {outcome} · …/expire
 *   POST payment-intents/:id/dispute · events/:id/redeliver · wait-for-deliveries
 *   POST customers/:id/detach-card {payment_method?} (default: every card the customer has)
 */
export class ControlRoutes {
  private readonly routes: Array<{ method: string; pattern: RegExp; action: ControlAction }>;

  constructor(emulator: EmulatorControls) {
    const route = (method: string, path: string, action: ControlAction) => ({
      method,
      pattern: new RegExp(`^/_emulator/${path.replace(':id', '([^/]+)')}$`),
      action,
    });
    const completeOptions = (body: Body): CompleteOptions => ({
      method: body.method === 'bank_debit' ? 'bank_debit' : 'card',
      email: typeof body.email === 'string' && body.email ? body.email : undefined,
      card: testCard(body.card),
    });
    this.routes = [
      route('GET', 'events', () => emulator.events),
      route('GET', 'deliveries', () => emulator.deliveries),
      route('GET', 'requests', () => emulator.requests),
      route('POST', 'faults', (body) => emulator.injectFault(faultFrom(body))),
      route('POST', 'faults/clear', () => emulator.clearFaults()),
      route('POST', 'rate-limit', (body) =>
        emulator.setRateLimit(integer(body.per_second, 'per_second')),
      ),
      route('POST', 'latency', (body) => emulator.setLatency(integer(body.ms, 'ms'))),
      route('POST', 'webhook-url', (body) => emulator.setWebhookUrl(text(body.url, 'url'))),
      route('POST', 'payment-links/:id/open', (_body, id) => emulator.openSession(id)),
      route('POST', 'payment-links/:id/pay', (body, id) => emulator.pay(id, completeOptions(body))),
      route('POST', 'checkout-sessions/:id/complete', (body, id) =>
        emulator.completeSession(id, completeOptions(body)),
      ),
      route('POST', 'checkout-sessions/:id/settle', (body, id) => {
        const outcome = body.outcome;
        if (outcome !== 'succeeded' && outcome !== 'failed') {
          throw new ControlInputError('outcome must be succeeded or failed');
        }
        return emulator.settleBankDebit(id, outcome);
      }),
      route('POST', 'checkout-sessions/:id/expire', (_body, id) => emulator.expireSession(id)),
      route('POST', 'payment-intents/:id/dispute', (_body, id) => emulator.dispute(id)),
      route('POST', 'customers/:id/detach-card', (body, id) =>
        emulator.detachCard(
          id,
          typeof body.payment_method === 'string' && body.payment_method
            ? body.payment_method
            : undefined,
        ),
      ),
      route('POST', 'events/:id/redeliver', async (_body, id) => ({
        status: await emulator.redeliver(id),
      })),
      route('POST', 'wait-for-deliveries', () => emulator.waitForDeliveries()),
    ];
  }

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const found = this.routes
      .filter((route) => route.method === req.method)
      .map((route) => ({ route, match: route.pattern.exec(url.pathname) }))
      .find(({ match }) => match !== null);
    if (!found?.match) {
      sendJson(res, 404, {
        error: { message: `No emulator control at ${req.method} ${url.pathname}` },
      });
      return;
    }
    try {
      const body = req.method === 'POST' ? parseBody(req, await readBody(req)) : {};
      const result = await found.route.action(body, decodeURIComponent(found.match[1] ?? ''));
      sendJson(res, 200, result ?? { ok: true });
    } catch (error) {
      if (error instanceof StripeApiError) sendJson(res, error.status, error.toBody());
      else
        sendJson(res, 400, {
          error: { message: error instanceof Error ? error.message : String(error) },
        });
    }
  }
}

function parseBody(req: IncomingMessage, text: string): Body {
  if (!text.trim()) return {};
  if ((headerValue(req, 'content-type') ?? '').includes('json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new ControlInputError('The body is not valid JSON');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new ControlInputError('The body must be a JSON object');
    }
    return parsed as Body;
  }
  return Object.fromEntries(new URLSearchParams(text));
}

const FAULT_KINDS: readonly FaultKind[] = ['500', 'reset', '429', 'latency'];

function faultFrom(body: Body): FaultSpec {
  const kind = String(body.kind ?? '') as FaultKind;
  if (!FAULT_KINDS.includes(kind))
    throw new ControlInputError(`kind must be one of ${FAULT_KINDS.join(', ')}`);
  const when = body.when ?? 'before';
  if (when !== 'before' && when !== 'after')
    throw new ControlInputError('when must be before or after');
  const optionalInteger = (value: unknown, name: string) =>
    value === undefined ? undefined : integer(value, name);
  return {
    kind,
    when,
    method: typeof body.method === 'string' ? body.method : undefined,
    path:
      typeof body.path_pattern === 'string'
        ? new RegExp(body.path_pattern)
        : typeof body.path === 'string'
          ? body.path
          : undefined,
    times: optionalInteger(body.times, 'times'),
    nth: optionalInteger(body.nth, 'nth'),
    latencyMs: optionalInteger(body.latency_ms, 'latency_ms'),
  };
}

function testCard(value: unknown): TestCardToken | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' && isTestCardToken(value)) return value;
  throw new ControlInputError(`card must be one of ${TEST_CARD_TOKENS.join(', ')}`);
}

function integer(value: unknown, name: string): number {
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 0) {
    throw new ControlInputError(`${name} must be a whole number ≥ 0`);
  }
  return number;
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || !value) throw new ControlInputError(`${name} is required`);
  return value;
}
