import { Column, Entity } from 'typeorm';
import { ClubRecord } from '../../common/club-record.entity';

@Entity('teams')
export class Team extends ClubRecord {
  @Column() name!: string;
  @Column() season!: string;
  @Column({ name: 'monthly_fee_cents' }) monthlyFeeCents!: number;
  /** The season's first and last billed month ('YYYY-MM-01'); null = open-ended. */
  @Column({ name: 'billing_starts_on', type: 'date', nullable: true }) billingStartsOn!:
    string | null;
  @Column({ name: 'billing_ends_on', type: 'date', nullable: true }) billingEndsOn!: string | null;
}
