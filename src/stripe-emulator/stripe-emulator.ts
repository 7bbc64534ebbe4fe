import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ControlRoutes } from './control/control-routes';
import { HostedPages } from './hosted-pages/hosted-pages';
import type { CheckoutSession, PaymentMethod, StripeEvent } from './objects/api-objects';
import { EmulatorState } from './objects/emulator-state';
import { PaymentFlow, type CompleteOptions, type SettleOutcome } from './payments/payment-flow';
import { StateFolder } from './persistence/state-file';
import { FaultInjector, type FaultSpec } from './reliability/fault-injector';
import { IdempotencyStore } from './reliability/idempotency-store';
import { RollingRateLimiter } from './reliability/rate-limiter';
import { Sleeper } from './reliability/sleeper';
import { ApiPipeline, type RecordedRequest } from './server/api-pipeline';
import { requestListener } from './server/http-server';
import { EventLog, NO_API_REQUEST } from './webhooks/event-log';
import { WebhookDispatcher, type Delivery } from './webhooks/webhook-dispatcher';

export interface StripeEmulatorOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Base of hosted page URLs (a link's `url`); default the emulator's own `http://host:port`. */
  publicUrl?: string;
  /** Where events are POSTed; can be set later with `setWebhookUrl`. */
  webhookUrl?: string;
  /**
   * `whsec_…`; every delivery is signed with it (several: one `v1` each, as while rotating).
   * Default: the `stateDir`'s own random secret (one of the two is required).
   */
  webhookSecret?: string | string[];
  /**
   * Keep the account here (objects, idempotency keys, deliveries still owed) so that it survives
   * a restart: links already mailed keep working. Without it the account lives in memory only.
   */
  stateDir?: string;
  /** API calls per rolling second before 429; default 25 (Stripe's test mode); 0 = unlimited. */
  rateLimitPerSecond?: number;
  /** Added to every API call. */
  latencyMs?: number;
  log?: (line: string) => void;
  /** Tries per webhook event, the first included; default 3. */
  webhookAttempts?: number;
  /** Wait before retrying a failed delivery, doubled each time; default 200 ms. */
  webhookRetryDelayMs?: number;
  /** How long a webhook endpoint may take to answer; default 10 s. */
  webhookTimeoutMs?: number;
}

export type FaultOptions = FaultSpec;

/**
 * A fake Stripe in a box: the subset of Stripe's HTTP API Courtside uses, served so the official
 * `stripe` SDK talks to it unchanged, plus hosted payment pages, signed webhooks, and the test
 * controls below (faults, rate limit, latency, customer and bank actions).
 */
export class StripeEmulator {
  readonly url: string;
  readonly port: number;
  /** What every delivery is signed with; the endpoint checks with the same. */
  readonly webhookSecrets: string[];

  private readonly state: EmulatorState;
  private readonly flow: PaymentFlow;
  private readonly eventLog: EventLog;
  private readonly dispatcher: WebhookDispatcher;
  private readonly faults = new FaultInjector();
  private readonly rateLimiter: RollingRateLimiter;
  private readonly sleeper = new Sleeper();
  private readonly api: ApiPipeline;
  private readonly idempotency = new IdempotencyStore();
  private readonly stateFolder?: StateFolder;
  /** How many events the state file held when last written: a GET changes the account only by emitting one. */
  private persistedEvents = -1;
  private latencyMs: number;

  static async start(options: StripeEmulatorOptions): Promise<StripeEmulator> {
    const host = options.host ?? '127.0.0.1';
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new StripeEmulator(server, host, (server.address() as AddressInfo).port, options);
  }

  private constructor(
    private readonly server: Server,
    host: string,
    port: number,
    options: StripeEmulatorOptions,
  ) {
    const log = options.log ?? (() => undefined);
    const reachableHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
    this.port = port;
    this.url = `http://${reachableHost.includes(':') ? `[${reachableHost}]` : reachableHost}:${port}`;
    this.latencyMs = options.latencyMs ?? 0;
    this.rateLimiter = new RollingRateLimiter(options.rateLimitPerSecond ?? 25);
    this.stateFolder = options.stateDir ? new StateFolder(options.stateDir) : undefined;
    const secrets = options.webhookSecret ?? this.stateFolder?.webhookSecret();
    if (!secrets) throw new Error('The Stripe emulator needs a webhookSecret or a stateDir');
    this.webhookSecrets = Array.isArray(secrets) ? secrets : [secrets];

    this.state = new EmulatorState((options.publicUrl ?? this.url).replace(/\/+$/, ''));
    this.eventLog = new EventLog(this.state, () => this.dispatcher.endpointCount);
    const saved = this.stateFolder?.read();
    if (saved) {
      this.state.restore(saved.account);
      this.eventLog.restore(saved.account.events);
      this.idempotency.restore(saved.idempotencyKeys);
    }
    this.dispatcher = new WebhookDispatcher(
      this.eventLog,
      {
        secrets: this.webhookSecrets,
        attempts: options.webhookAttempts ?? 3,
        retryDelayMs: options.webhookRetryDelayMs ?? 200,
        timeoutMs: options.webhookTimeoutMs ?? 10_000,
        log,
      },
      options.webhookUrl,
    );
    this.flow = new PaymentFlow(
      this.state,
      this.eventLog.emitterFor(NO_API_REQUEST, (event) => this.dispatcher.enqueue(event)),
    );
    this.api = new ApiPipeline({
      state: this.state,
      flow: this.flow,
      events: this.eventLog,
      dispatcher: this.dispatcher,
      idempotency: this.idempotency,
      faults: this.faults,
      rateLimiter: this.rateLimiter,
      sleeper: this.sleeper,
      latencyMs: () => this.latencyMs,
      log,
      persist: (changed) => this.persist(changed),
    });
    const pages = new HostedPages({ state: this.state, flow: this.flow });
    server.on(
      'request',
      requestListener({
        api: this.api,
        pages,
        control: new ControlRoutes(this),
        log,
        persist: (changed) => this.persist(changed),
        servesHost: (hostHeader) => servesHost(hostHeader, this.state.publicUrl),
      }),
    );
    saved?.undeliveredEventIds.forEach((id) => this.dispatcher.enqueue(this.state.event(id)));
    log(`Stripe emulator listening on ${this.url} (test mode only: no real money moves)`);
  }

  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    this.sleeper.wakeAll();
    await this.dispatcher.close();
    await closed;
    this.persist(true);
  }

  /** With a `stateDir`: writes what changed, before the call that changed it is answered. */
  private persist(changed: boolean): void {
    if (!this.stateFolder) return;
    if (!changed && this.state.events.size === this.persistedEvents) return;
    this.persistedEvents = this.state.events.size;
    this.stateFolder.write({
      version: 1,
      account: this.state.snapshot(),
      idempotencyKeys: this.idempotency.saved(),
      undeliveredEventIds: this.dispatcher.undelivered,
    });
  }

  setWebhookUrl(url: string): void {
    this.dispatcher.setUrl(url);
  }

  setRateLimit(perSecond: number): void {
    this.rateLimiter.setLimit(perSecond);
  }

  setLatency(ms: number): void {
    this.latencyMs = ms;
  }

  /**
   * Faults for the next matching API calls. `when: 'before'` fails without doing the work;
   * `when: 'after'` does it (object created, idempotent result kept) and then fails, like Stripe
   * answering 500 or dropping the connection after creating the object. `times` (default 1)
   * calls fail from the `nth` matching one (default 1, the next).
   */
  injectFault(fault: FaultOptions): void {
    this.faults.inject(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Every API call received, oldest first: method, path, decoded params, key, status. */
  get requests(): ReadonlyArray<RecordedRequest> {
    return this.api.requests;
  }

  /** Every event created, oldest first. */
  get events(): ReadonlyArray<StripeEvent> {
    return [...this.state.events.values()];
  }

  get deliveries(): ReadonlyArray<Delivery> {
    return this.dispatcher.deliveries;
  }

  /** A customer opens the link's page: a new open Checkout Session. */
  async openSession(paymentLinkId: string): Promise<CheckoutSession> {
    return structuredClone(this.flow.openSession(paymentLinkId).session);
  }

  /**
   * The customer pays an open session. Card: `payment_status: 'paid'`, emits
   * `payment_intent.succeeded` then `checkout.session.completed`. Bank debit: complete but
   * `unpaid`, emits `checkout.session.completed` only; settle it with `settleBankDebit`.
   */
  async completeSession(
    sessionId: string,
    options: CompleteOptions = {},
  ): Promise<CheckoutSession> {
    return structuredClone(this.flow.completeSession(sessionId, options));
  }

  /** `openSession` then `completeSession`. */
  async pay(paymentLinkId: string, options: CompleteOptions = {}): Promise<CheckoutSession> {
    const { session } = this.flow.openSession(paymentLinkId);
    return structuredClone(this.flow.completeSession(session.id, options));
  }

  /** The bank settles a debit: `payment_intent.succeeded` + `async_payment_succeeded`, or `async_payment_failed`. */
  async settleBankDebit(sessionId: string, outcome: SettleOutcome): Promise<void> {
    this.flow.settleBankDebit(sessionId, outcome);
  }

  /** The session times out: `checkout.session.expired`. */
  async expireSession(sessionId: string): Promise<void> {
    this.flow.expireSession(sessionId);
  }

  /**
   * The cardholder or the bank removes the customer's saved card (`paymentMethodId`, or every
   * card attached): `payment_method.detached` for each.
   */
  async detachCard(customerId: string, paymentMethodId?: string): Promise<PaymentMethod[]> {
    return structuredClone(this.flow.detachCard(customerId, paymentMethodId));
  }

  /** The cardholder disputes the payment: `charge.dispute.created`. */
  async dispute(paymentIntentId: string): Promise<void> {
    this.flow.dispute(paymentIntentId);
  }

  /** POSTs the same event again (same bytes, fresh signature) and returns the endpoint's status. */
  async redeliver(eventId: string): Promise<number> {
    this.state.event(eventId);
    return this.dispatcher.redeliver(eventId);
  }

  /** Resolves once no delivery is queued, in flight or waiting to be retried. */
  waitForDeliveries(): Promise<void> {
    return this.dispatcher.idle();
  }
}

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A Host header naming loopback or the emulator's public URL, on any port; none (HTTP/1.0) is local tooling. */
function servesHost(hostHeader: string | undefined, publicUrl: string): boolean {
  if (hostHeader === undefined) return true;
  let name: string;
  try {
    name = new URL(`http://${hostHeader}`).hostname;
  } catch {
    return false;
  }
  return LOOPBACK_NAMES.has(name) || name === new URL(publicUrl).hostname;
}
