import { request as httpRequest, type ClientRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { StripeEvent } from '../objects/api-objects';
import { Sleeper } from '../reliability/sleeper';
import type { EventLog } from './event-log';
import { signStripePayload } from './webhook-signature';

export interface Delivery {
  eventId: string;
  status: number | 'error';
  at: number;
}

export interface WebhookDispatcherOptions {
  secrets: string[];
  /** Tries per event, the first included. */
  attempts: number;
  /** Wait before the second try; doubled for each further one. */
  retryDelayMs: number;
  timeoutMs: number;
  log: (line: string) => void;
}

/**
 * Posts events to the endpoint one at a time, in the order they were created, re-signing every
 * attempt with a fresh timestamp. A non-2xx answer or a network error is retried a few times
 * with a short backoff; later events wait, which keeps tests deterministic.
 */
export class WebhookDispatcher {
  private url: string | undefined;
  private readonly recorded: Delivery[] = [];
  private queue: Promise<void> = Promise.resolve();
  private queued = 0;
  /** Events not yet delivered or given up on, oldest first: a restart with a state file sends them. */
  private readonly waiting = new Set<string>();
  private readonly redeliveries = new Set<Promise<unknown>>();
  private readonly openRequests = new Set<ClientRequest>();
  private readonly sleeper = new Sleeper();
  private closed = false;

  constructor(
    private readonly log: EventLog,
    private readonly options: WebhookDispatcherOptions,
    url?: string,
  ) {
    this.url = url;
  }

  get deliveries(): ReadonlyArray<Delivery> {
    return this.recorded;
  }

  get endpointCount(): number {
    return this.url ? 1 : 0;
  }

  setUrl(url: string): void {
    this.url = url;
  }

  /**
   * Owed from the moment it exists, though sent only once the call that caused it has answered:
   * a state file written in between already lists it.
   */
  owe(eventId: string): void {
    if (this.url && !this.closed) this.waiting.add(eventId);
  }

  /** Events created while no endpoint is configured are kept (GET /v1/events) but not sent. */
  enqueue(event: StripeEvent): void {
    if (!this.url || this.closed) return;
    this.waiting.add(event.id);
    this.queued += 1;
    this.queue = this.queue
      .then(async () => {
        // Given up on, or cut short by close(): still owed, and sent again after a restart.
        if (await this.deliverWithRetries(event.id)) this.waiting.delete(event.id);
      })
      .finally(() => {
        this.queued -= 1;
      });
  }

  /** Not delivered yet (queued, given up on, or cut short by close()), oldest first. */
  get undelivered(): string[] {
    return [...this.waiting];
  }

  /** One more POST of the same event, now, outside the queue (tests replay events concurrently). */
  redeliver(eventId: string): Promise<number> {
    const attempt = this.attempt(eventId).then((status) => {
      if (status === 'error') throw new Error(`Delivering ${eventId} failed: no HTTP answer`);
      return status;
    });
    const tracked = attempt.catch(() => undefined);
    this.redeliveries.add(tracked);
    void tracked.finally(() => this.redeliveries.delete(tracked));
    return attempt;
  }

  async idle(): Promise<void> {
    while (this.queued > 0 || this.redeliveries.size > 0) {
      await Promise.allSettled([this.queue, ...this.redeliveries]);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.sleeper.wakeAll();
    for (const request of this.openRequests) request.destroy();
    await this.idle();
  }

  /** Whether the endpoint took the event (2xx) before the tries ran out or close() came. */
  private async deliverWithRetries(eventId: string): Promise<boolean> {
    for (let attempt = 1; attempt <= this.options.attempts; attempt++) {
      if (this.closed) return false;
      const status = await this.attempt(eventId);
      if (typeof status === 'number' && status >= 200 && status < 300) return true;
      if (attempt < this.options.attempts && !this.closed) {
        await this.sleeper.sleep(this.options.retryDelayMs * 2 ** (attempt - 1));
      }
    }
    return false;
  }

  private async attempt(eventId: string): Promise<number | 'error'> {
    const url = this.url;
    if (!url) throw new Error('No webhook URL is set: call setWebhookUrl first');
    const payload = this.log.payload(eventId);
    const status = await this.post(url, payload);
    this.recorded.push({ eventId, status, at: Date.now() });
    this.options.log(`webhook ${eventId} → ${url}: ${status}`);
    return status;
  }

  private post(url: string, payload: string): Promise<number | 'error'> {
    return new Promise((resolve) => {
      const body = Buffer.from(payload, 'utf8');
      const send = url.startsWith('https:') ? httpsRequest : httpRequest;
      const request = send(url, {
        method: 'POST',
        agent: false,
        timeout: this.options.timeoutMs,
        headers: {
          'Content-Type': 'application/json; charset=utf-8',
          'Content-Length': body.length,
          'User-Agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
          'Cache-Control': 'no-cache',
          Accept: '*/*; q=0.5, application/xml',
          'Stripe-Signature': signStripePayload(payload, this.options.secrets),
        },
      });
      this.openRequests.add(request);
      const settle = (status: number | 'error') => {
        this.openRequests.delete(request);
        resolve(status);
      };
      request.on('response', (response) => {
        response.resume();
        response.on('end', () => settle(response.statusCode ?? 'error'));
        response.on('error', () => settle(response.statusCode ?? 'error'));
      });
      request.on('timeout', () => request.destroy(new Error('webhook delivery timed out')));
      request.on('error', () => settle('error'));
      request.end(body);
    });
  }
}
