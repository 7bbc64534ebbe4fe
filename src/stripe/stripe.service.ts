import { Inject, Injectable, Logger } from '@nestjs/common';
import Stripe from 'stripe';
import { stripeConfig, type StripeConfig } from '../config';
import { DomainException } from '../common/errors/domain.exception';
import { backoffDelay } from './backoff';
import { StripeBudget } from './stripe-budget';
import { fromStripeError, isTransient } from './stripe-errors';
import { idempotencyKeys } from './idempotency-keys';

export const STRIPE_CONNECTION = Symbol('STRIPE_CONNECTION');

/** Real Stripe (nothing to say), or the emulator: where it listens and what it signs with. */
export interface StripeConnection {
  apiUrl?: string;
  /** The emulator's signing secret(s); STRIPE_WEBHOOK_SECRET, when set, is what both use. */
  webhookSecrets?: string[];
}

/** Metadata every Stripe object Courtside creates carries (money rule 1). */
export interface CourtsideMetadata {
  tenant_id: string;
  order_id: string;
  player_id: string;
  product_id: string;
}

/** What an off-session charge of a saved card came to (the order is paid only by its webhook). */
export type SavedCardCharge =
  | { outcome: 'succeeded' | 'processing' | 'requires_action'; paymentIntentId: string }
  | {
      outcome: 'failed';
      paymentIntentId: string | null;
      /** Stripe's error code (`card_declined`, `expired_card`, `authentication_required`…). */
      code: string;
      declineCode: string | null;
      message: string;
    };

/** Refusals that are about the card, not our request: the family pays by link instead. */
const CARD_UNUSABLE = new Set(['payment_method_unexpected_state', 'resource_missing']);

/**
 * The only door to Stripe. Every write carries an idempotency key derived from our ids, so a
 * retried or re-run call never creates a second object; calls are paced under the account's
 * rate limit by all instances together (StripeBudget), and a transient failure (5xx, reset,
 * timeout, 409, 429) is backed off and tried again under the same key, STRIPE_MAX_RETRIES
 * times, each try within the budget.
 */
@Injectable()
export class StripeService {
  private readonly logger = new Logger(StripeService.name);
  private readonly stripe: Stripe;
  private readonly webhookSecrets: string[];

  constructor(
    @Inject(stripeConfig.KEY) private readonly config: StripeConfig,
    @Inject(STRIPE_CONNECTION) connection: StripeConnection,
    private readonly budget: StripeBudget,
  ) {
    const api = connection.apiUrl ? new URL(connection.apiUrl) : undefined;
    this.stripe = new Stripe(config.secretKey, {
      // Our loop in `call` owns retries, each within the shared budget. The SDK still retries a
      // reset connection once by itself, under the same idempotency key.
      maxNetworkRetries: 0,
      timeout: 20_000,
      ...(api && {
        host: api.hostname,
        port: Number(api.port),
        protocol: api.protocol.replace(':', '') as 'http' | 'https',
      }),
    });
    this.webhookSecrets =
      config.webhookSecrets.length > 0 ? config.webhookSecrets : (connection.webhookSecrets ?? []);
  }

  get livemode(): boolean {
    return this.config.livemode;
  }

  createProduct(
    params: Stripe.ProductCreateParams,
    idempotencyKey: string,
  ): Promise<Stripe.Product> {
    return this.call('creating a product', () =>
      this.stripe.products.create(params, { idempotencyKey }),
    );
  }

  createPrice(params: Stripe.PriceCreateParams, idempotencyKey: string): Promise<Stripe.Price> {
    return this.call('creating a price', () =>
      this.stripe.prices.create(params, { idempotencyKey }),
    );
  }

  createPaymentLink(
    params: Stripe.PaymentLinkCreateParams,
    idempotencyKey: string,
  ): Promise<Stripe.PaymentLink> {
    return this.call('creating a payment link', () =>
      this.stripe.paymentLinks.create(params, { idempotencyKey }),
    );
  }

  deactivatePaymentLink(id: string): Promise<Stripe.PaymentLink> {
    return this.call('deactivating a payment link', () =>
      this.stripe.paymentLinks.update(
        id,
        { active: false },
        { idempotencyKey: idempotencyKeys.deactivatePayLink(id) },
      ),
    );
  }

  createCustomer(
    params: Stripe.CustomerCreateParams,
    idempotencyKey: string,
  ): Promise<Stripe.Customer> {
    return this.call('creating a customer', () =>
      this.stripe.customers.create(params, { idempotencyKey }),
    );
  }

  /** Attaches a card (a PaymentMethod id, or in test mode a token such as `pm_card_visa`). */
  attachPaymentMethod(
    paymentMethod: string,
    customer: string,
    idempotencyKey: string,
  ): Promise<Stripe.PaymentMethod> {
    return this.call('attaching a payment method', () =>
      this.stripe.paymentMethods.attach(paymentMethod, { customer }, { idempotencyKey }),
    );
  }

  createRefund(params: Stripe.RefundCreateParams, idempotencyKey: string): Promise<Stripe.Refund> {
    return this.call('creating a refund', () =>
      this.stripe.refunds.create(params, { idempotencyKey }),
    );
  }

  /**
   * Charges a family's saved card off-session for one order. A card refusal (402 card_error, or a
   * card Stripe no longer has) is an answer, not an error: it names what failed.
   */
  async chargeSavedCard(
    params: {
      amountCents: number;
      currency: string;
      customer: string;
      paymentMethod: string;
      metadata: Record<string, string>;
    },
    idempotencyKey: string,
  ): Promise<SavedCardCharge> {
    return this.call('charging a saved card', async (): Promise<SavedCardCharge> => {
      try {
        const intent = await this.stripe.paymentIntents.create(
          {
            amount: params.amountCents,
            currency: params.currency,
            customer: params.customer,
            payment_method: params.paymentMethod,
            automatic_payment_methods: { enabled: true, allow_redirects: 'never' },
            off_session: true,
            confirm: true,
            metadata: params.metadata,
          },
          { idempotencyKey },
        );
        const outcome =
          intent.status === 'succeeded'
            ? 'succeeded'
            : intent.status === 'processing'
              ? 'processing'
              : 'requires_action';
        return { outcome, paymentIntentId: intent.id };
      } catch (error) {
        if (
          error instanceof Stripe.errors.StripeCardError ||
          (error instanceof Stripe.errors.StripeInvalidRequestError &&
            CARD_UNUSABLE.has(error.code ?? ''))
        )
          return {
            outcome: 'failed',
            paymentIntentId: error.payment_intent?.id ?? null,
            code: error.code ?? 'card_declined',
            declineCode: error.decline_code ?? null,
            message: error.message,
          };
        throw error;
      }
    });
  }

  /** The PaymentIntent with its PaymentMethod (the card a payment used, to keep for autopay). */
  retrievePaymentIntentWithCard(id: string): Promise<Stripe.PaymentIntent> {
    return this.call('reading a payment intent', () =>
      this.stripe.paymentIntents.retrieve(id, { expand: ['payment_method'] }),
    );
  }

  /** The link and the one price it sells (a link Courtside did not mint may sell anything). */
  async retrievePaymentLink(
    id: string,
  ): Promise<{ link: Stripe.PaymentLink; lineItems: Stripe.LineItem[] }> {
    const link = await this.call('reading a payment link', () =>
      this.stripe.paymentLinks.retrieve(id),
    );
    const items = await this.call('reading a payment link', () =>
      this.stripe.paymentLinks.listLineItems(id, { limit: 10 }),
    );
    return { link, lineItems: items.data };
  }

  /** The session, or undefined when Stripe has none with this id (another account's, or purged). */
  findCheckoutSession(id: string): Promise<Stripe.Checkout.Session | undefined> {
    return unlessMissing(this.retrieveCheckoutSession(id));
  }

  /** As retrievePaymentLink, or undefined when Stripe has no link with this id. */
  findPaymentLink(
    id: string,
  ): Promise<{ link: Stripe.PaymentLink; lineItems: Stripe.LineItem[] } | undefined> {
    return unlessMissing(this.retrievePaymentLink(id));
  }

  /** Nobody can pay an expired session: used before its order is cancelled. */
  expireCheckoutSession(id: string): Promise<Stripe.Checkout.Session> {
    return this.call('expiring a checkout session', () =>
      this.stripe.checkout.sessions.expire(
        id,
        {},
        { idempotencyKey: idempotencyKeys.expireCheckoutSession(id) },
      ),
    );
  }

  retrieveCheckoutSession(id: string): Promise<Stripe.Checkout.Session> {
    return this.call('reading a checkout session', () =>
      this.stripe.checkout.sessions.retrieve(id),
    );
  }

  /** Every event of these types since `since` (Stripe keeps events for 30 days), oldest first. */
  eventsSince(since: Date, types: string[]): Promise<Stripe.Event[]> {
    return this.listAll('listing events', (startingAfter) =>
      this.stripe.events.list({
        created: { gte: Math.floor(since.getTime() / 1000) },
        types,
        limit: 100,
        ...(startingAfter && { starting_after: startingAfter }),
      }),
    );
  }

  /** Every completed Checkout Session created since `since`, oldest first. */
  completedSessionsSince(since: Date): Promise<Stripe.Checkout.Session[]> {
    return this.listAll('listing checkout sessions', (startingAfter) =>
      this.stripe.checkout.sessions.list({
        created: { gte: Math.floor(since.getTime() / 1000) },
        status: 'complete',
        limit: 100,
        ...(startingAfter && { starting_after: startingAfter }),
      }),
    );
  }

  /**
   * Whether the Stripe-Signature matches these raw bytes under one of the configured secrets
   * (several while rotating), within Stripe's tolerance. Only the signature: reading what the
   * bytes hold is the inbox's job, so that nothing a signed delivery carries can fail it.
   */
  isSignedByStripe(rawBody: Buffer, signature: string | undefined): boolean {
    const check = this.stripe.webhooks.signature;
    if (!signature || !check) return false;
    return this.webhookSecrets.some((secret) => {
      try {
        return check.verifyHeader(rawBody, signature, secret);
      } catch {
        return false; // another secret's signature, too old, or not a Stripe-Signature at all
      }
    });
  }

  /** Stripe lists newest first, a page at a time; callers want the whole list in time order. */
  private async listAll<T extends { id: string }>(
    operation: string,
    page: (startingAfter?: string) => Promise<Stripe.ApiList<T>>,
  ): Promise<T[]> {
    const all: T[] = [];
    for (let startingAfter: string | undefined; ;) {
      const next = await this.call(operation, () => page(startingAfter));
      all.push(...next.data);
      if (!next.has_more || next.data.length === 0) return all.reverse();
      startingAfter = next.data[next.data.length - 1].id;
    }
  }

  private async call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const ended = await this.budget.take();
      let failure: unknown;
      try {
        return await request();
      } catch (error) {
        failure = error;
      } finally {
        await ended();
      }
      if (attempt < this.config.maxRetries && isTransient(failure)) {
        const delay = backoffDelay(attempt);
        this.logger.warn(
          `Stripe failed transiently while ${operation} (${(failure as Error).message}); retry ${attempt + 1} of ${this.config.maxRetries} in ${delay} ms`,
        );
        await new Promise((resolve) => setTimeout(resolve, delay));
        continue;
      }
      throw failure instanceof DomainException ? failure : fromStripeError(failure, operation);
    }
  }
}

/** A read's result, or undefined when Stripe answered that the object does not exist. */
async function unlessMissing<T>(read: Promise<T>): Promise<T | undefined> {
  try {
    return await read;
  } catch (error) {
    const details = error instanceof DomainException ? error.details : undefined;
    if (details && !Array.isArray(details) && details.stripe_code === 'resource_missing')
      return undefined;
    throw error;
  }
}
