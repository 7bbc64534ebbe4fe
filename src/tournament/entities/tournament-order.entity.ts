import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** The order that bills a player's place in a tournament (one per tournament and player). */
@Entity('tournament_orders')
export class TournamentOrder {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS' }) id!: number;
  @Column({ name: 'tenant_id' }) tenantId!: number;
  @Column({ name: 'tournament_id' }) tournamentId!: number;
  @Column({ name: 'player_id' }) playerId!: number;
  @Column({ name: 'order_id' }) orderId!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
