import { Column, Entity } from 'typeorm';
import { ClubRecord } from '../../common/club-record.entity';

@Entity('parents')
export class Parent extends ClubRecord {
  @Column() name!: string;
  @Column({ type: 'text', nullable: true }) email!: string | null;
  @Column({ type: 'text', nullable: true }) phone!: string | null;
  /** The family's Stripe customer and the card its first monthly payment kept (never more). */
  @Column({ name: 'stripe_customer_id', type: 'text', nullable: true }) stripeCustomerId!:
    string | null;
  @Column({ name: 'autopay_payment_method_id', type: 'text', nullable: true })
  autopayPaymentMethodId!: string | null;
  @Column({ name: 'card_brand', type: 'text', nullable: true }) cardBrand!: string | null;
  @Column({ name: 'card_last4', type: 'text', nullable: true }) cardLast4!: string | null;
  @Column({ name: 'card_exp_month', type: 'integer', nullable: true }) cardExpMonth!: number | null;
  @Column({ name: 'card_exp_year', type: 'integer', nullable: true }) cardExpYear!: number | null;
  /** When Stripe said the saved card is gone (detached, expired): the next charge is a link. */
  @Column({ name: 'card_removed_at', type: 'timestamptz', nullable: true })
  cardRemovedAt!: Date | null;
  /** Whether the month run may charge the saved card; an admin can turn it off. */
  @Column() autopay!: boolean;
}
