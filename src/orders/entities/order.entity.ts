import { Column, Entity } from 'typeorm';
import { ClubRecord } from '../../common/club-record.entity';

export const ORDER_STATUSES = [
  'pending',
  'processing',
  'paid',
  'failed',
  'cancelled',
  'refunded',
  'partially_refunded',
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

@Entity('orders')
export class Order extends ClubRecord {
  @Column({ name: 'player_id' }) playerId!: number;
  @Column({ name: 'parent_id' }) parentId!: number;
  @Column({ name: 'product_id' }) productId!: number;
  @Column({ name: 'amount_cents' }) amountCents!: number;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ type: 'enum', enum: ORDER_STATUSES, enumName: 'order_status' }) status!: OrderStatus;
  @Column({ name: 'amount_paid_cents' }) amountPaidCents!: number;
  @Column({ name: 'amount_refunded_cents' }) amountRefundedCents!: number;
  @Column({ name: 'stripe_checkout_session_id', type: 'text', nullable: true })
  stripeCheckoutSessionId!: string | null;
  @Column({ name: 'stripe_checkout_url', type: 'text', nullable: true }) stripeCheckoutUrl!:
    string | null;
  @Column({ name: 'stripe_payment_link_id', type: 'text', nullable: true }) stripePaymentLinkId!:
    string | null;
  @Column({ name: 'stripe_payment_intent_id', type: 'text', nullable: true })
  stripePaymentIntentId!: string | null;
  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true }) paidAt!: Date | null;
  @Column({ name: 'disputed_at', type: 'timestamptz', nullable: true }) disputedAt!: Date | null;
  @Column({ type: 'text', nullable: true }) notes!: string | null;
  /** The month a monthly order bills ('YYYY-MM-01'); null for every other item. */
  @Column({ name: 'billing_period', type: 'date', nullable: true }) billingPeriod!: string | null;
  /** The month run that made it (a first month made by its link has none). */
  @Column({ name: 'billing_run_id', type: 'integer', nullable: true }) billingRunId!: number | null;
}
