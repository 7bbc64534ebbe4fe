import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';
import { lockUntilCommit } from '../../database/advisory-lock';
import { preparedQuery } from '../../database/prepared-query';
import { orderStatusesBefore, OWED } from '../order-status';
import { Order, OrderStatus } from '../entities/order.entity';

export interface PaymentFacts {
  amountCents: number;
  paymentIntentId: string;
  checkoutSessionId?: string;
}

export type PaymentResult =
  'applied' | 'already_applied' | 'paid_by_another_payment' | 'not_payable';

const paymentIntentLockKey = (paymentIntentId: string): string =>
  `payment_intent:${paymentIntentId}`;

/**
 * Every money change of an order, each one guarded in SQL by the statuses it may start from
 * (order-status.ts), so a replayed or concurrent event changes nothing the second time.
 * Callers pass their transaction; the order row is locked for its duration.
 */
@Injectable()
export class OrderPaymentsService {
  /**
   * The order's columns as its entity maps them: the webhook's hot path reads the row in its own
   * SQL (one round trip with the locks) and builds the Order from these, without the ORM's query.
   */
  private readonly orderColumns: ColumnMetadata[];
  private readonly orderSelectList: string;

  constructor(@InjectDataSource() db: DataSource) {
    this.orderColumns = db.getMetadata(Order).columns;
    this.orderSelectList = this.orderColumns.map((column) => column.databaseName).join(', ');
  }

  /**
   * The order a Stripe payment's metadata names, locked, in one round trip (every payment event
   * starts here): with it, whether `paymentLinkId` is a link Courtside minted for that order, and
   * the PaymentIntent's lock (see lockByPaymentIntent), taken after the order's: a refund that
   * came first has committed by the next statement, or finds the order once this transaction
   * commits. Undefined, and nothing locked, for foreign or missing ids.
   */
  async lockForPayment(
    manager: EntityManager,
    tenantId: number,
    orderId: number,
    payment: { paymentIntentId: string; paymentLinkId?: string | null },
  ): Promise<{ order: Order; linkMinted: boolean } | undefined> {
    const [row] = await preparedQuery<(Record<string, unknown> & { link_minted: boolean })[]>(
      manager,
      `WITH locked AS MATERIALIZED (
         SELECT ${this.orderSelectList} FROM orders WHERE id = $1 AND tenant_id = $2 FOR UPDATE
       )
       SELECT locked.*,
              EXISTS (SELECT 1 FROM payment_links
                      WHERE tenant_id = $2 AND order_id = $1 AND stripe_payment_link_id = $4) AS link_minted,
              pg_advisory_xact_lock(hashtextextended($3, 0)) AS payment_intent_locked
       FROM locked`,
      [
        orderId,
        tenantId,
        paymentIntentLockKey(payment.paymentIntentId),
        payment.paymentLinkId ?? null,
      ],
    );
    return row && { order: this.orderOf(row), linkMinted: row.link_minted };
  }

  /**
   * The order a PaymentIntent paid (refunds and disputes carry only the PaymentIntent). When no
   * order has it yet, the search is repeated under the PaymentIntent's lock, which the payment
   * recording it takes before looking for what waits: a refund and its payment applied at the
   * same moment cannot miss each other. (No order row is held while waiting for that lock.)
   */
  async lockByPaymentIntent(
    manager: EntityManager,
    paymentIntentId: string,
  ): Promise<Order | undefined> {
    const find = () =>
      manager.findOne(Order, {
        where: { stripePaymentIntentId: paymentIntentId },
        lock: { mode: 'pessimistic_write' },
      });
    const order = await find();
    if (order) return order;
    await this.lockPaymentIntent(manager, paymentIntentId);
    return (await find()) ?? undefined;
  }

  /** Held until the transaction ends; see lockByPaymentIntent. */
  private lockPaymentIntent(manager: EntityManager, paymentIntentId: string): Promise<void> {
    return lockUntilCommit(manager, paymentIntentLockKey(paymentIntentId));
  }

  async recordPayment(
    manager: EntityManager,
    order: Order,
    payment: PaymentFacts,
  ): Promise<PaymentResult> {
    if (order.stripePaymentIntentId === payment.paymentIntentId && order.paidAt)
      return 'already_applied';
    const updated = await this.move(manager, order, 'paid', {
      amount_paid_cents: payment.amountCents,
      stripe_payment_intent_id: payment.paymentIntentId,
      stripe_checkout_session_id: payment.checkoutSessionId ?? order.stripeCheckoutSessionId,
      paid_at: new Date(),
    });
    if (updated) return 'applied';
    if (order.paidAt) return 'paid_by_another_payment';
    return 'not_payable';
  }

  /** Records the order's current pay link (its Pay Now button). */
  async attachLink(
    manager: EntityManager,
    order: Order,
    link: { stripePaymentLinkId: string; url: string },
  ): Promise<void> {
    await manager.update(
      Order,
      { id: order.id, tenantId: order.tenantId },
      { stripePaymentLinkId: link.stripePaymentLinkId, stripeCheckoutUrl: link.url },
    );
  }

  /**
   * Stores an open Checkout Session's URL as the order's Pay Now URL (legacy orders had the
   * session but not its URL). Only while the order is owed, still has that session and no URL
   * yet: false when anything changed meanwhile.
   */
  async attachCheckoutUrl(
    manager: EntityManager,
    order: Order,
    session: { id: string; url: string },
  ): Promise<boolean> {
    const result = await manager.update(
      Order,
      {
        id: order.id,
        tenantId: order.tenantId,
        status: In([...OWED]),
        stripeCheckoutSessionId: session.id,
        stripeCheckoutUrl: IsNull(),
      },
      { stripeCheckoutUrl: session.url },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Forgets a link that no longer takes payments, so a new one can be minted. */
  async detachLink(
    manager: EntityManager,
    tenantId: number,
    stripePaymentLinkId: string,
  ): Promise<void> {
    await manager.update(
      Order,
      { tenantId, stripePaymentLinkId, status: In([...OWED]) },
      { stripePaymentLinkId: null, stripeCheckoutUrl: null },
    );
  }

  /** A bank debit was accepted but has not settled: not paid yet. */
  async markProcessing(
    manager: EntityManager,
    order: Order,
    payment: Omit<PaymentFacts, 'amountCents'>,
  ): Promise<boolean> {
    return this.move(manager, order, 'processing', {
      stripe_payment_intent_id: payment.paymentIntentId,
      stripe_checkout_session_id: payment.checkoutSessionId ?? order.stripeCheckoutSessionId,
    });
  }

  /**
   * A bank debit failed: the family owes the amount again and needs a new link. The session is
   * kept so that its late `completed` event cannot put the order back to processing.
   */
  async markFailed(
    manager: EntityManager,
    order: Order,
    checkoutSessionId: string,
  ): Promise<boolean> {
    return this.move(manager, order, 'failed', {
      stripe_payment_intent_id: null,
      stripe_checkout_session_id: checkoutSessionId,
    });
  }

  /** `refundedCents` is Stripe's cumulative amount_refunded, so a replay never deducts twice. */
  async applyRefund(manager: EntityManager, order: Order, refundedCents: number): Promise<boolean> {
    const total = Math.max(order.amountRefundedCents, refundedCents);
    if (total === order.amountRefundedCents) return false;
    const to: OrderStatus = total >= order.amountPaidCents ? 'refunded' : 'partially_refunded';
    return this.move(manager, order, to, { amount_refunded_cents: total });
  }

  /** A dispute flags the order once; its status stays what the money says. */
  async flagDispute(manager: EntityManager, order: Order): Promise<boolean> {
    const result = await manager.query(
      `UPDATE orders SET disputed_at = now(), updated_at = now() WHERE id = $1 AND tenant_id = $2 AND disputed_at IS NULL`,
      [order.id, order.tenantId],
    );
    return (result as [unknown, number])[1] > 0;
  }

  private async move(
    manager: EntityManager,
    order: Order,
    to: OrderStatus,
    set: Record<string, unknown>,
  ): Promise<boolean> {
    const columns = Object.keys(set);
    const assignments = columns.map((column, i) => `${column} = $${i + 4}`).join(', ');
    const rows = await preparedQuery<[unknown[], number]>(
      manager,
      `UPDATE orders SET status = $3, ${assignments}, updated_at = now()
       WHERE id = $1 AND tenant_id = $2 AND status = ANY($${columns.length + 4}::order_status[])
       RETURNING id`,
      [order.id, order.tenantId, to, ...Object.values(set), orderStatusesBefore(to)],
    );
    return rows[1] > 0;
  }

  private orderOf(row: Record<string, unknown>): Order {
    const order = new Order();
    for (const column of this.orderColumns) column.setEntityValue(order, row[column.databaseName]);
    return order;
  }
}
