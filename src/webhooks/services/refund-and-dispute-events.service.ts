import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { OverpaymentsService } from '../../billing/services/overpayments.service';
import { OrderPaymentsService } from '../../orders/services/order-payments.service';
import type { Charge, Dispute } from '../../stripe/stripe-objects';
import { idOf } from '../stripe-payload';
import { decide, EventDecision } from './event-decision';
import { auditOrderChange } from './order-audit';

/**
 * What a refund or a dispute means for the order its PaymentIntent paid. One that comes before
 * its payment is stored as unmatched and applied when the payment arrives (money rule 6,
 * EventApplicationService.saveOutcome).
 */
@Injectable()
export class RefundAndDisputeEventsService {
  constructor(
    private readonly orders: OrderPaymentsService,
    private readonly overpayments: OverpaymentsService,
    private readonly audit: AuditService,
  ) {}

  async chargeRefunded(manager: EntityManager, charge: Charge): Promise<EventDecision> {
    const paymentIntentId = idOf(charge.payment_intent);
    if (!paymentIntentId) return decide('unmatched', 'the charge has no PaymentIntent');
    const order = await this.orders.lockByPaymentIntent(manager, paymentIntentId);
    if (!order) {
      if (await this.overpayments.isOverpayment(manager, paymentIntentId))
        return decide('ignored', 'refund of an overpayment');
      return decide(
        'unmatched',
        `no order has PaymentIntent ${paymentIntentId} yet; applied when its payment arrives`,
      );
    }
    if (!order.paidAt)
      // A bank debit still processing: applied with its payment, like a refund that came first.
      return decide(
        'unmatched',
        `order ${order.id} is ${order.status}, not paid yet; applied when its payment arrives`,
        order.tenantId,
      );
    if (charge.currency !== order.currency)
      return decide(
        'needs_review',
        `refund in ${charge.currency} for an order in ${order.currency}`,
        order.tenantId,
      );
    if (!(await this.orders.applyRefund(manager, order, charge.amount_refunded))) {
      return decide(
        'ignored',
        `order ${order.id} already records ${order.amountRefundedCents} cents refunded`,
        order.tenantId,
      );
    }
    await auditOrderChange(this.audit, manager, order, 'order.refunded', {
      amount_refunded_cents: charge.amount_refunded,
    });
    return decide('processed', undefined, order.tenantId);
  }

  async disputeCreated(manager: EntityManager, dispute: Dispute): Promise<EventDecision> {
    const paymentIntentId = idOf(dispute.payment_intent);
    if (!paymentIntentId) return decide('unmatched', 'the dispute names no PaymentIntent');
    const order = await this.orders.lockByPaymentIntent(manager, paymentIntentId);
    if (!order)
      return decide(
        'unmatched',
        `no order has PaymentIntent ${paymentIntentId} yet; applied when its payment arrives`,
      );
    if (!(await this.orders.flagDispute(manager, order)))
      return decide('ignored', `order ${order.id} is already flagged as disputed`, order.tenantId);
    await auditOrderChange(this.audit, manager, order, 'order.disputed', {
      dispute: dispute.id,
      amount_cents: dispute.amount,
    });
    return decide('processed', `dispute ${dispute.id} opened`, order.tenantId);
  }
}
