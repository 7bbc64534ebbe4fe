import type { IncomingMessage, ServerResponse } from 'node:http';
import { EMULATED_API_VERSION, type StripeEvent } from '../objects/api-objects';
import type { EmulatorState } from '../objects/emulator-state';
import { newId } from '../objects/ids';
import { parseForm, type FormParams } from '../params/form-parser';
import type { PaymentFlow } from '../payments/payment-flow';
import type { ApiRoute } from '../resources/api-route';
import type { DueFault, FaultInjector } from '../reliability/fault-injector';
import type { IdempotencyStore, StoredResponse } from '../reliability/idempotency-store';
import type { RollingRateLimiter } from '../reliability/rate-limiter';
import type { Sleeper } from '../reliability/sleeper';
import { apiErrors, StripeApiError } from '../stripe-api-error';
import type { EventLog } from '../webhooks/event-log';
import type { WebhookDispatcher } from '../webhooks/webhook-dispatcher';
import { matchRoute } from './api-router';
import { BodyTooLargeError, headerValue, readBody, send } from './http-io';

/** One API call as tests see it afterwards. `status` 0: no HTTP answer (reset) or still running. */
export interface RecordedRequest {
  method: string;
  path: string;
  params: Record<string, unknown>;
  idempotencyKey?: string;
  status: number;
  at: number;
}

export interface ApiPipelineDeps {
  state: EmulatorState;
  flow: PaymentFlow;
  events: EventLog;
  dispatcher: WebhookDispatcher;
  idempotency: IdempotencyStore;
  faults: FaultInjector;
  rateLimiter: RollingRateLimiter;
  sleeper: Sleeper;
  latencyMs: () => number;
  log: (line: string) => void;
  /**
   * Keeps the account's state; runs before a call is answered, so a crash loses no answered call.
   * `changed`: the call may have changed it (a GET changes it only by emitting an event).
   */
  persist: (changed: boolean) => void;
}

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string>;
}

type Outcome = Answer | 'reset';

interface CallContext {
  method: string;
  path: string;
  requestId: string;
  idempotencyKey: string | undefined;
  entry: RecordedRequest;
  emitted: StripeEvent[];
}

const TEST_KEY = /^(sk|rk)_test_\S+$/;

/**
 * The road every `/v1` call takes: authenticate → route → injected fault (before) → rate limit →
 * idempotency key → latency → the resource's handler → keep the idempotent result → injected
 * fault (after). Events the call caused are delivered once it has answered.
 */
export class ApiPipeline {
  readonly requests: RecordedRequest[] = [];

  constructor(private readonly deps: ApiPipelineDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    const idempotencyKey = (method === 'POST' && headerValue(req, 'idempotency-key')) || undefined;
    const call: CallContext = {
      method,
      path: url.pathname,
      requestId: newId.request(),
      idempotencyKey,
      entry: { method, path: url.pathname, params: {}, idempotencyKey, status: 0, at: Date.now() },
      emitted: [],
    };
    this.requests.push(call.entry);
    this.deliverAfterResponse(res, call.emitted);

    let outcome: Outcome;
    try {
      outcome = await this.run(req, url, call);
      this.deps.persist(method !== 'GET');
    } catch (error) {
      outcome = this.errorAnswer(error);
    }

    const status = outcome === 'reset' ? 0 : outcome.status;
    call.entry.status = status;
    this.deps.log(
      `${method} ${url.pathname} → ${status || 'connection reset'} (${call.requestId})`,
    );
    if (outcome === 'reset') {
      req.socket.destroy();
      return;
    }
    send(res, outcome.status, 'application/json', outcome.body, {
      ...outcome.headers,
      'Request-Id': call.requestId,
      'Stripe-Version': headerValue(req, 'stripe-version') ?? EMULATED_API_VERSION,
      ...(idempotencyKey && { 'Idempotency-Key': idempotencyKey }),
    });
  }

  private async run(req: IncomingMessage, url: URL, call: CallContext): Promise<Outcome> {
    const params = parseForm(call.method === 'POST' ? await readBody(req) : url.search.slice(1));
    call.entry.params = params;
    const account = authenticate(req);
    const match = matchRoute(call.method, call.path);
    if (!match) throw apiErrors.unrecognizedUrl(call.method, call.path);

    const fault = this.deps.faults.take(call.method, call.path);
    if (fault?.when === 'before' && fault.kind !== 'latency') return this.faultAnswer(fault);
    if (!this.deps.rateLimiter.tryAcquire()) throw apiErrors.rateLimited();

    const idempotency = call.idempotencyKey
      ? this.deps.idempotency.begin(
          account,
          call.idempotencyKey,
          `${call.method} ${call.path}`,
          params,
        )
      : undefined;
    if (idempotency?.kind === 'reject') throw idempotency.error;

    // Latency holds the key: a second request with it meanwhile gets Stripe's 409.
    const slowdown = fault?.when === 'before' && fault.kind === 'latency' ? fault.latencyMs : 0;
    await this.deps.sleeper.sleep(this.deps.latencyMs() + slowdown);
    let answer: Answer;
    if (idempotency?.kind === 'replay') {
      answer = replayed(idempotency.response);
    } else {
      const result = this.execute(call, params, match.route.handle, match.pathParams);
      answer = result.answer;
      idempotency?.finish(result.stored);
    }

    if (fault?.when === 'after') {
      if (fault.kind !== 'latency') return this.faultAnswer(fault);
      await this.deps.sleeper.sleep(fault.latencyMs);
    }
    return answer;
  }

  private execute(
    call: CallContext,
    params: FormParams,
    handle: ApiRoute['handle'],
    pathParams: Record<string, string>,
  ): { answer: Answer; stored?: StoredResponse } {
    const { state, flow, events } = this.deps;
    const cause = { requestId: call.requestId, idempotencyKey: call.idempotencyKey ?? null };
    try {
      const reply = handle({
        state,
        flow,
        params,
        pathParams,
        requestId: call.requestId,
        idempotencyKey: call.idempotencyKey ?? null,
        emit: events.emitterFor(cause, (event) => {
          this.deps.dispatcher.owe(event.id);
          call.emitted.push(event);
        }),
      });
      const answer = { status: reply.status ?? 200, body: json(reply.body), headers: {} };
      return {
        answer,
        stored: { status: answer.status, body: answer.body, requestId: call.requestId },
      };
    } catch (error) {
      const answer = this.errorAnswer(error);
      const replayable = error instanceof StripeApiError && error.replayable;
      const stored = { status: answer.status, body: answer.body, requestId: call.requestId };
      return { answer, stored: replayable ? stored : undefined };
    }
  }

  private faultAnswer(fault: DueFault): Outcome {
    if (fault.kind === 'reset') return 'reset';
    const error = fault.kind === '429' ? apiErrors.rateLimited() : apiErrors.internal();
    return { status: error.status, body: json(error.toBody()), headers: {} };
  }

  private errorAnswer(error: unknown): Answer {
    let known: StripeApiError;
    if (error instanceof StripeApiError) {
      known = error;
    } else if (error instanceof BodyTooLargeError) {
      known = new StripeApiError(400, 'invalid_request_error', 'parameter_invalid', error.message);
    } else {
      this.deps.log(
        `unexpected emulator error: ${error instanceof Error ? error.stack : String(error)}`,
      );
      known = new StripeApiError(
        500,
        'api_error',
        'api_error',
        `The Stripe emulator failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return { status: known.status, body: json(known.toBody()), headers: {} };
  }

  private deliverAfterResponse(res: ServerResponse, emitted: StripeEvent[]): void {
    let done = false;
    const deliver = () => {
      if (done) return;
      done = true;
      emitted.forEach((event) => this.deps.dispatcher.enqueue(event));
    };
    res.once('finish', deliver);
    res.once('close', deliver);
  }
}

function replayed(response: StoredResponse): Answer {
  return {
    status: response.status,
    body: response.body,
    headers: { 'Idempotent-Replayed': 'true', 'Original-Request': response.requestId },
  };
}

/** Stripe pretty-prints its JSON responses. */
function json(body: unknown): string {
  return JSON.stringify(body, null, 2);
}

/** Bearer (what the SDK sends) or Basic with the key as user name; test-mode keys only. */
function authenticate(req: IncomingMessage): string {
  const header = headerValue(req, 'authorization') ?? '';
  const [scheme, credentials = ''] = header.split(' ', 2);
  let key = '';
  if (scheme?.toLowerCase() === 'bearer') key = credentials.trim();
  if (scheme?.toLowerCase() === 'basic') {
    key = Buffer.from(credentials, 'base64').toString('utf8').split(':')[0];
  }
  if (!key) {
    throw apiErrors.authentication(
      "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    );
  }
  if (!TEST_KEY.test(key)) {
    const shown = `${key.slice(0, 8)}${'*'.repeat(Math.max(0, key.length - 12))}${key.slice(-4)}`;
    throw apiErrors.authentication(
      `Invalid API Key provided: ${shown}. The Stripe emulator accepts test-mode keys only (sk_test_…); it moves no money.`,
    );
  }
  return key;
}
