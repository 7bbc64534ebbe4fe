import { Column, Entity } from 'typeorm';
import { ClubRecord } from '../../common/club-record.entity';

export const PRODUCT_CATEGORIES = ['monthly', 'tournament', 'jersey', 'tryout', 'generic'] as const;
export type ProductCategory = (typeof PRODUCT_CATEGORIES)[number];

@Entity('products')
export class Product extends ClubRecord {
  @Column() name!: string;
  @Column({ type: 'enum', enum: PRODUCT_CATEGORIES, enumName: 'product_category' })
  category!: ProductCategory;
  @Column({ name: 'price_cents' }) priceCents!: number;
  @Column({ type: 'char', length: 3 }) currency!: string;
  @Column() active!: boolean;
  @Column({ name: 'stripe_product_id', type: 'text', nullable: true }) stripeProductId!:
    string | null;
}
