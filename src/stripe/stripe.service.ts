import { Inject, Injectable, Logger } from '@nestjs/common';
import Stripe from 'stripe';
import { stripeConfig, type StripeConfig } from '../config';
import { DomainException } from '../common/errors/domain.exception';
import { backoffDelay, RateLimiter } from './rate-limiter';
import { fromStripeError, isRateLimited } from './stripe-errors';

export const STRIPE_CONNECTION = Symbol('STRIPE_CONNECTION');

/** Where the SDK sends requests: Stripe itself, or the emulator's URL. */
export interface StripeConnection {
  apiUrl?: string;
}

/** Metadata every Stripe object Courtside creates carries (money rule 1). */
export interface CourtsideMetadata {
  tenant_id: string;
  order_id: string;
  player_id: string;
  product_id: string;
}

const RATE_LIMIT_RETRIES = 6;

/**
 * The only door to Stripe. Every write carries an idempotency key derived from our ids, so a
 * retried or re-run call never creates a second object; calls are paced under the account's
 * rate limit, and a 429 (which the SDK does not retry) is backed off and tried again.
 */
@Injectable()
export class StripeService {
  private readonly logger = new Logger(StripeService.name);
  private readonly stripe: Stripe;
  private readonly limiter: RateLimiter;

  constructor(
    @Inject(stripeConfig.KEY) private readonly config: StripeConfig,
    @Inject(STRIPE_CONNECTION) connection: StripeConnection,
  ) {
    const api = connection.apiUrl ? new URL(connection.apiUrl) : undefined;
    this.stripe = new Stripe(config.secretKey, {
      maxNetworkRetries: 2,
      timeout: 20_000,
      ...(api && {
        host: api.hostname,
        port: Number(api.port),
        protocol: api.protocol.replace(':', '') as 'http' | 'https',
      }),
    });
    this.limiter = new RateLimiter(config.rateLimitPerSecond);
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
        { idempotencyKey: `deactivate:${id}` },
      ),
    );
  }

  createRefund(params: Stripe.RefundCreateParams, idempotencyKey: string): Promise<Stripe.Refund> {
    return this.call('creating a refund', () =>
      this.stripe.refunds.create(params, { idempotencyKey }),
    );
  }

  listEvents(params: Stripe.EventListParams): Promise<Stripe.ApiList<Stripe.Event>> {
    return this.call('listing events', () => this.stripe.events.list(params));
  }

  /**
   * Checks the Stripe-Signature over the raw bytes against every configured secret (several
   * while rotating); undefined when none matches or the timestamp is outside the tolerance.
   */
  verifyWebhook(rawBody: Buffer, signature: string | undefined): Stripe.Event | undefined {
    if (!signature) return undefined;
    for (const secret of this.config.webhookSecrets) {
      try {
        return this.stripe.webhooks.constructEvent(rawBody, signature, secret);
      } catch {
        // try the next secret
      }
    }
    return undefined;
  }

  private async call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      const done = await this.limiter.acquire();
      let failure: unknown;
      try {
        return await request();
      } catch (error) {
        failure = error;
      } finally {
        done();
      }
      if (isRateLimited(failure) && attempt < RATE_LIMIT_RETRIES) {
        const delay = backoffDelay(attempt);
        this.logger.warn(`Stripe rate limit while ${operation}; retrying in ${delay} ms`);
        await new Promise((resolve) => setTimeout(resolve, delay));
        continue;
      }
      throw failure instanceof DomainException ? failure : fromStripeError(failure, operation);
    }
  }
}
