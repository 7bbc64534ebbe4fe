import { Column, Entity } from 'typeorm';
import { ClubRecord } from '../../common/club-record.entity';

export const CONTRACT_STATUSES = ['none', 'pending', 'signed', 'terminated'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

@Entity('players')
export class Player extends ClubRecord {
  @Column({ name: 'parent_id' }) parentId!: number;
  @Column({ name: 'team_id', type: 'integer', nullable: true }) teamId!: number | null;
  @Column() name!: string;
  @Column({
    name: 'contract_status',
    type: 'enum',
    enum: CONTRACT_STATUSES,
    enumName: 'contract_status',
  })
  contractStatus!: ContractStatus;
  /** Overrides the team's monthly fee (scholarships); null means the team's fee. */
  @Column({ name: 'monthly_fee_cents', type: 'integer', nullable: true }) monthlyFeeCents!:
    number | null;
  @Column({ name: 'contract_signed_on', type: 'date', nullable: true }) contractSignedOn!:
    string | null;
  @Column({ name: 'contract_ended_on', type: 'date', nullable: true }) contractEndedOn!:
    string | null;
  /** Set by the database default; never returned in lists. */
  @Column({ name: 'first_payment_token', insert: false, update: false, select: false })
  firstPaymentToken!: string;
}
