import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('admin_api_keys')
export class AdminApiKey {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS' }) id!: number;
  @Column({ name: 'tenant_id' }) tenantId!: number;
  @Column() name!: string;
  @Column({ name: 'key_hash' }) keyHash!: string;
  @Column({ name: 'key_prefix' }) keyPrefix!: string;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true }) lastUsedAt!: Date | null;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt!: Date | null;
}
