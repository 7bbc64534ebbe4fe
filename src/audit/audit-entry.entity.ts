import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('audit_log')
export class AuditEntry {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS', type: 'bigint' }) id!: string;
  @Column({ name: 'tenant_id' }) tenantId!: number;
  @Column() actor!: string;
  @Column() action!: string;
  @Column() subject!: string;
  @Column({ type: 'jsonb' }) data!: Record<string, unknown>;
  @Column({ type: 'timestamptz', insert: false, update: false }) at!: Date;
}
