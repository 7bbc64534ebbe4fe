import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { OrderPaymentsService } from '../../orders/services/order-payments.service';
import { JobsService } from '../../jobs/jobs.service';
import { StripeService } from '../../stripe/stripe.service';
import { PaymentLink } from '../entities/payment-link.entity';
import { PaymentLinksRepository } from '../repositories/payment-links.repository';

const DEACTIVATE_QUEUE = 'payment-link.deactivate';

/**
 * Links that must take no more money: marked paid or deactivated in the caller's transaction,
 * and closed at Stripe by a job once it commits.
 */
@Injectable()
export class LinkRetirementService implements OnModuleInit {
  constructor(
    private readonly stripe: StripeService,
    private readonly jobs: JobsService,
    private readonly orderPayments: OrderPaymentsService,
    private readonly links: PaymentLinksRepository,
  ) {}

  onModuleInit(): void {
    this.jobs.handle<{ tenantId: number; stripePaymentLinkId: string }>(DEACTIVATE_QUEUE, (job) =>
      this.deactivateAtStripe(job.tenantId, job.stripePaymentLinkId),
    );
  }

  /**
   * Inside a webhook's transaction: the link took its payment (or its bank debit failed) and
   * must take no more. The Stripe call is a job, so the webhook answers at once.
   */
  async retireAfterPayment(
    manager: EntityManager,
    tenantId: number,
    stripePaymentLinkId: string,
    outcome: 'paid' | 'deactivated',
  ): Promise<void> {
    await this.retire(manager, tenantId, stripePaymentLinkId, outcome);
    await this.jobs.send(DEACTIVATE_QUEUE, { tenantId, stripePaymentLinkId }, { manager });
  }

  /**
   * A link made for an order that will not use it: kept as retired, so that the order's next link
   * gets a new idempotency key, and closed at Stripe by a job.
   */
  async retireUnused(
    manager: EntityManager,
    values: Pick<PaymentLink, 'tenantId' | 'stripePaymentLinkId'> & Partial<PaymentLink>,
  ): Promise<void> {
    const kept = await this.links.insertIfAbsent(manager, {
      ...values,
      status: 'deactivated',
      deactivatedAt: null,
    });
    if (kept)
      await this.jobs.send(
        DEACTIVATE_QUEUE,
        { tenantId: values.tenantId, stripePaymentLinkId: values.stripePaymentLinkId },
        { manager },
      );
  }

  /** The active link stops being the order's; a deactivated one frees the order for a new link. */
  async retire(
    manager: EntityManager,
    tenantId: number,
    stripePaymentLinkId: string,
    status: 'paid' | 'deactivated',
  ): Promise<void> {
    await this.links.retire(manager, tenantId, stripePaymentLinkId, status);
    if (status === 'deactivated')
      await this.orderPayments.detachLink(manager, tenantId, stripePaymentLinkId);
  }

  private async deactivateAtStripe(tenantId: number, stripePaymentLinkId: string): Promise<void> {
    await this.stripe.deactivatePaymentLink(stripePaymentLinkId);
    await this.links.closedAtStripe(tenantId, stripePaymentLinkId);
  }
}
