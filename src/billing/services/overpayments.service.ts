import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Order } from '../../orders/entities/order.entity';
import { JobsService } from '../../jobs/jobs.service';
import { StripeService } from '../../stripe/stripe.service';
import { idempotencyKeys } from '../../stripe/idempotency-keys';
import { OverpaymentsRepository } from '../repositories/overpayments.repository';

const REFUND_QUEUE = 'overpayment.refund';

export interface SecondPayment {
  checkoutSessionId: string;
  paymentIntentId: string;
  amountCents: number;
  currency: string;
}

/**
 * A family that pays an item twice (two sessions opened on one link before it closed) is
 * refunded the second payment, once: one row per Checkout Session, and the refund's
 * idempotency key is made from that session's id.
 */
@Injectable()
export class OverpaymentsService implements OnModuleInit {
  constructor(
    private readonly overpayments: OverpaymentsRepository,
    private readonly stripe: StripeService,
    private readonly jobs: JobsService,
  ) {}

  onModuleInit(): void {
    this.jobs.handle<{ overpaymentId: number }>(REFUND_QUEUE, (job) =>
      this.refund(job.overpaymentId),
    );
  }

  /** In the webhook's transaction; true the first time this session is recorded. */
  async record(manager: EntityManager, order: Order, payment: SecondPayment): Promise<boolean> {
    const id = await this.overpayments.insertNew(manager, {
      tenantId: order.tenantId,
      orderId: order.id,
      stripeCheckoutSessionId: payment.checkoutSessionId,
      stripePaymentIntentId: payment.paymentIntentId,
      amountCents: payment.amountCents,
      currency: payment.currency,
    });
    if (id === undefined) return false;
    await this.jobs.send(REFUND_QUEUE, { overpaymentId: id }, { manager });
    return true;
  }

  /** Whether this PaymentIntent is a second payment we keep (and refund) apart from its order. */
  async isOverpayment(manager: EntityManager, paymentIntentId: string): Promise<boolean> {
    return this.overpayments.existsForPaymentIntent(manager, paymentIntentId);
  }

  private async refund(overpaymentId: number): Promise<void> {
    const overpayment = await this.overpayments.find(overpaymentId);
    if (overpayment.stripeRefundId) return;
    const refund = await this.stripe.createRefund(
      {
        payment_intent: overpayment.stripePaymentIntentId,
        amount: overpayment.amountCents,
        reason: 'duplicate',
        metadata: {
          tenant_id: String(overpayment.tenantId),
          order_id: String(overpayment.orderId),
          overpayment_id: String(overpayment.id),
        },
      },
      idempotencyKeys.overpaymentRefund(overpayment.stripeCheckoutSessionId),
    );
    await this.overpayments.markRefunded(overpayment.id, refund.id);
  }
}
