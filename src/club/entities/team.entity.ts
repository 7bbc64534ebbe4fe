import { Column, Entity } from 'typeorm';
import { ClubRecord } from '../../common/club-record.entity';

@Entity('teams')
export class Team extends ClubRecord {
  @Column() name!: string;
  @Column() season!: string;
  @Column({ name: 'monthly_fee_cents' }) monthlyFeeCents!: number;
}
