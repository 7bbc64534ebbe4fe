import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A second payment for an already paid order (money rule 4): kept, then refunded exactly once. */
@Entity('overpayments')
export class Overpayment {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS' }) id!: number;
  @Column({ name: 'tenant_id' }) tenantId!: number;
  @Column({ name: 'order_id' }) orderId!: number;
  @Column({ name: 'stripe_checkout_session_id' }) stripeCheckoutSessionId!: string;
  @Column({ name: 'stripe_payment_intent_id' }) stripePaymentIntentId!: string;
  @Column({ name: 'amount_cents' }) amountCents!: number;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ name: 'stripe_refund_id', type: 'text', nullable: true }) stripeRefundId!:
    string | null;
  @Column({ name: 'refunded_at', type: 'timestamptz', nullable: true }) refundedAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
