import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { OrderStatus } from '../../orders/entities/order.entity';
import { OWED, PROCESSING } from '../../orders/order-status';
import type { OrderRef } from '../stripe-payload';

/** Order statuses in which a payment Stripe took has not reached the order. */
export const NOT_PAID_HERE: readonly OrderStatus[] = [...OWED, ...PROCESSING];

export const orderKey = (tenantId: number, orderId: number): string => `${tenantId}:${orderId}`;

/** An order paid here through a Checkout Session. */
export interface PaidOrder extends OrderRef {
  status: OrderStatus;
  sessionId: string;
}

export interface StoredSessionEvent {
  id: string;
  session_id: string;
  outcome: string | null;
  error: string | null;
}

/** The reads `reconcile` compares Stripe with; every statement names the clubs it may see. */
@Injectable()
export class ReconciliationRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Of these orders, the ones a payment has not reached here, keyed `tenant:order`. */
  async ordersNotPaidHere(refs: readonly OrderRef[]): Promise<Map<string, OrderStatus>> {
    if (refs.length === 0) return new Map();
    const rows = (await this.db.query(
      `SELECT o.tenant_id, o.id, o.status FROM orders o
       JOIN unnest($1::int[], $2::int[]) AS wanted(tenant_id, id)
         ON wanted.tenant_id = o.tenant_id AND wanted.id = o.id
       WHERE o.status = ANY($3::order_status[])`,
      [refs.map((ref) => ref.tenantId), refs.map((ref) => ref.orderId), NOT_PAID_HERE],
    )) as { tenant_id: number; id: number; status: OrderStatus }[];
    return new Map(rows.map((row) => [orderKey(row.tenant_id, row.id), row.status]));
  }

  async orderStatus(ref: OrderRef): Promise<OrderStatus | undefined> {
    const rows = (await this.db.query(
      'SELECT status FROM orders WHERE tenant_id = $1 AND id = $2',
      [ref.tenantId, ref.orderId],
    )) as { status: OrderStatus }[];
    return rows[0]?.status;
  }

  /** Orders of these clubs paid here since `since` through a Checkout Session, oldest first. */
  async ordersPaidSince(tenantIds: readonly number[], since: Date): Promise<PaidOrder[]> {
    if (tenantIds.length === 0) return [];
    return (await this.db.query(
      `SELECT tenant_id AS "tenantId", id AS "orderId", status,
              stripe_checkout_session_id AS "sessionId"
       FROM orders
       WHERE tenant_id = ANY($1::int[]) AND paid_at >= $2 AND stripe_checkout_session_id IS NOT NULL
       ORDER BY paid_at, id`,
      [tenantIds, since],
    )) as PaidOrder[];
  }

  /** The order of a club holding this PaymentIntent (refunds and disputes name only that). */
  async orderOfPaymentIntent(tenantId: number, paymentIntentId: string): Promise<number | null> {
    const rows = (await this.db.query(
      'SELECT id FROM orders WHERE tenant_id = $1 AND stripe_payment_intent_id = $2',
      [tenantId, paymentIntentId],
    )) as { id: number }[];
    return rows[0]?.id ?? null;
  }

  /**
   * The latest stored event that should have paid each of these sessions (completed and paid,
   * or a bank debit settled), from these clubs or from none (an unmatched event may name no club).
   */
  async storedSessionEvents(
    sessionIds: readonly string[],
    tenantIds: readonly number[],
  ): Promise<Map<string, StoredSessionEvent>> {
    if (sessionIds.length === 0) return new Map();
    const rows = (await this.db.query(
      `SELECT DISTINCT ON (payload #>> '{data,object,id}')
         id, payload #>> '{data,object,id}' AS session_id, outcome, error
       FROM stripe_events
       WHERE (type = 'checkout.session.async_payment_succeeded'
              OR (type = 'checkout.session.completed' AND payload #>> '{data,object,payment_status}' = 'paid'))
         AND payload #>> '{data,object,id}' = ANY($1::text[])
         AND (tenant_id IS NULL OR tenant_id = ANY($2::int[]))
       ORDER BY payload #>> '{data,object,id}', received_at DESC`,
      [sessionIds, tenantIds],
    )) as StoredSessionEvent[];
    return new Map(rows.map((row) => [row.session_id, row]));
  }
}
