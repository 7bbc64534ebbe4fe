import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A team that plays in a tournament, and the product its players are billed for it. */
@Entity('tournament_teams')
export class TournamentTeam {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS' }) id!: number;
  @Column({ name: 'tenant_id' }) tenantId!: number;
  @Column({ name: 'tournament_id' }) tournamentId!: number;
  @Column({ name: 'team_id' }) teamId!: number;
  @Column({ name: 'product_id' }) productId!: number;
}
