import { EntityManager } from 'typeorm';
import type { OrderStatus } from '../orders/entities/order.entity';

/** The reads `reconcile` compares Stripe with; every statement names the clubs it may see. */

/** Order statuses in which a payment Stripe took has not reached the order. */
export const NOT_PAID_HERE: readonly OrderStatus[] = ['pending', 'failed', 'processing'];

export interface OrderRef {
  tenantId: number;
  orderId: number;
}

/** Of these orders, the ones a payment has not reached here, keyed `tenant:order`. */
export async function ordersNotPaidHere(
  manager: EntityManager,
  refs: readonly OrderRef[],
): Promise<Map<string, OrderStatus>> {
  if (refs.length === 0) return new Map();
  const rows = (await manager.query(
    `SELECT o.tenant_id, o.id, o.status FROM orders o
     JOIN unnest($1::int[], $2::int[]) AS wanted(tenant_id, id)
       ON wanted.tenant_id = o.tenant_id AND wanted.id = o.id
     WHERE o.status = ANY($3::order_status[])`,
    [refs.map((ref) => ref.tenantId), refs.map((ref) => ref.orderId), NOT_PAID_HERE],
  )) as { tenant_id: number; id: number; status: OrderStatus }[];
  return new Map(rows.map((row) => [orderKey(row.tenant_id, row.id), row.status]));
}

export const orderKey = (tenantId: number, orderId: number): string => `${tenantId}:${orderId}`;

export async function orderStatus(
  manager: EntityManager,
  ref: OrderRef,
): Promise<OrderStatus | undefined> {
  const rows = (await manager.query('SELECT status FROM orders WHERE tenant_id = $1 AND id = $2', [
    ref.tenantId,
    ref.orderId,
  ])) as { status: OrderStatus }[];
  return rows[0]?.status;
}

export interface PaidOrder {
  tenant_id: number;
  id: number;
  status: OrderStatus;
  session_id: string;
}

/** Orders of these clubs paid here since `since` through a Checkout Session, oldest first. */
export async function ordersPaidSince(
  manager: EntityManager,
  tenantIds: readonly number[],
  since: Date,
): Promise<PaidOrder[]> {
  if (tenantIds.length === 0) return [];
  return (await manager.query(
    `SELECT tenant_id, id, status, stripe_checkout_session_id AS session_id FROM orders
     WHERE tenant_id = ANY($1::int[]) AND paid_at >= $2 AND stripe_checkout_session_id IS NOT NULL
     ORDER BY paid_at, id`,
    [tenantIds, since],
  )) as PaidOrder[];
}

/** The order of a club holding this PaymentIntent (refunds and disputes name only that). */
export async function orderOfPaymentIntent(
  manager: EntityManager,
  tenantId: number,
  paymentIntentId: string,
): Promise<number | null> {
  const rows = (await manager.query(
    'SELECT id FROM orders WHERE tenant_id = $1 AND stripe_payment_intent_id = $2',
    [tenantId, paymentIntentId],
  )) as { id: number }[];
  return rows[0]?.id ?? null;
}

export interface StoredSessionEvent {
  id: string;
  session_id: string;
  outcome: string | null;
  error: string | null;
}

/**
 * The latest stored event that should have paid each of these sessions (completed and paid,
 * or a bank debit settled), from these clubs or from none (an unmatched event may name no club).
 */
export async function storedSessionEvents(
  manager: EntityManager,
  sessionIds: readonly string[],
  tenantIds: readonly number[],
): Promise<Map<string, StoredSessionEvent>> {
  if (sessionIds.length === 0) return new Map();
  const rows = (await manager.query(
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
