import { Column, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const COMMITMENT_STATUSES = ['committed', 'declined'] as const;
export type CommitmentStatus = (typeof COMMITMENT_STATUSES)[number];

/** A player's answer to "will you play in this tournament?". */
@Entity('tournament_commitments')
export class TournamentCommitment {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS' }) id!: number;
  @Column({ name: 'tenant_id' }) tenantId!: number;
  @Column({ name: 'tournament_id' }) tournamentId!: number;
  @Column({ name: 'player_id' }) playerId!: number;
  @Column({ type: 'enum', enum: COMMITMENT_STATUSES, enumName: 'commitment_status' })
  status!: CommitmentStatus;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
