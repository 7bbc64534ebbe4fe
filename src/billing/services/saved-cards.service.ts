import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { JobsService } from '../../jobs/jobs.service';
import { StripeService } from '../../stripe/stripe.service';
import { SavedCardsRepository } from '../repositories/saved-cards.repository';

const SAVE_CARD_QUEUE = 'parent.save-card';

interface SaveCardJob {
  tenantId: number;
  parentId: number;
  customerId: string;
  paymentIntentId: string;
}

/**
 * The card a monthly payment keeps (`setup_future_usage=off_session` on its own customer): the
 * customer is stored in the payment's webhook transaction; the card's brand, last four and expiry
 * are read from Stripe by a job queued in that transaction (an event does not carry them).
 */
@Injectable()
export class SavedCardsService implements OnModuleInit {
  constructor(
    private readonly stripe: StripeService,
    private readonly jobs: JobsService,
    private readonly cards: SavedCardsRepository,
  ) {}

  onModuleInit(): void {
    this.jobs.handle<SaveCardJob>(SAVE_CARD_QUEUE, (job) => this.saveCard(job));
  }

  /** In the webhook's transaction of a paid session that made a customer for the family. */
  async rememberCustomer(
    manager: EntityManager,
    order: { tenantId: number; parentId: number },
    customerId: string,
    paymentIntentId: string,
  ): Promise<void> {
    await this.cards.rememberCustomer(manager, order.tenantId, order.parentId, customerId);
    const job: SaveCardJob = { ...order, customerId, paymentIntentId };
    await this.jobs.send(SAVE_CARD_QUEUE, job, { manager });
  }

  /** Keeps the card only if the payment asked to keep it and it belongs to the family's customer. */
  async saveCard(job: SaveCardJob): Promise<void> {
    const intent = await this.stripe.retrievePaymentIntentWithCard(job.paymentIntentId);
    const method = intent.payment_method;
    if (intent.setup_future_usage !== 'off_session' || !method || typeof method === 'string')
      return;
    const owner = typeof method.customer === 'string' ? method.customer : method.customer?.id;
    if (!method.card || owner !== job.customerId) return;
    await this.cards.save(job.tenantId, job.parentId, job.customerId, {
      paymentMethodId: method.id,
      brand: method.card.brand,
      last4: method.card.last4,
      expMonth: method.card.exp_month,
      expYear: method.card.exp_year,
    });
  }

  /** The family was told their card is gone: later months bill by link without a word. */
  async removalTold(tenantId: number, parentId: number): Promise<void> {
    await this.cards.removalTold(tenantId, parentId);
  }

  /** A charge said the card is gone for good (expired, removed). */
  async forgetCard(paymentMethodId: string): Promise<void> {
    await this.cards.forget(undefined, paymentMethodId);
  }

  /** Stripe says the card is gone (`payment_method.detached`): the club of the family, if any. */
  forget(manager: EntityManager, paymentMethodId: string): Promise<number | undefined> {
    return this.cards.forget(manager, paymentMethodId);
  }
}
