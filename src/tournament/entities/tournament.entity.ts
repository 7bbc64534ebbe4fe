import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('tournaments')
export class Tournament {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS' }) id!: number;
  @Column({ name: 'tenant_id' }) tenantId!: number;
  @Column() name!: string;
  /** A calendar day (YYYY-MM-DD), not an instant. */
  @Column({ name: 'starts_on', type: 'date' }) startsOn!: string;
  @Column({ type: 'text', nullable: true }) location!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
