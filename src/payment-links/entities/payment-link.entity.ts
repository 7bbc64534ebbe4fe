import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const PAYMENT_LINK_STATUSES = ['active', 'paid', 'deactivated'] as const;
export type PaymentLinkStatus = (typeof PAYMENT_LINK_STATUSES)[number];

/** A persistent Stripe Payment Link for one order: what a family's Pay Now button opens. */
@Entity('payment_links')
export class PaymentLink {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS' }) id!: number;
  @Column({ name: 'tenant_id' }) tenantId!: number;
  @Column({ name: 'player_id' }) playerId!: number;
  @Column({ name: 'product_id' }) productId!: number;
  @Column({ name: 'order_id' }) orderId!: number;
  @Column({ name: 'stripe_payment_link_id' }) stripePaymentLinkId!: string;
  @Column({ name: 'stripe_price_id' }) stripePriceId!: string;
  @Column() url!: string;
  @Column({ name: 'amount_cents' }) amountCents!: number;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ type: 'enum', enum: PAYMENT_LINK_STATUSES, enumName: 'payment_link_status' })
  status!: PaymentLinkStatus;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true }) paidAt!: Date | null;
  @Column({ name: 'deactivated_at', type: 'timestamptz', nullable: true })
  deactivatedAt!: Date | null;
}
