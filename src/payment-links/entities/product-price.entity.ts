import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One Stripe Price per (product, amount, currency): prices are immutable, so each tier is reused. */
@Entity('product_prices')
export class ProductPrice {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS' }) id!: number;
  @Column({ name: 'tenant_id' }) tenantId!: number;
  @Column({ name: 'product_id' }) productId!: number;
  @Column({ name: 'amount_cents' }) amountCents!: number;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column({ name: 'stripe_price_id' }) stripePriceId!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
