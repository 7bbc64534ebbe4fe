import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('tenants')
export class Tenant {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS' }) id!: number;
  @Column() slug!: string;
  @Column() name!: string;
  @Column({ name: 'brand_primary_color' }) brandPrimaryColor!: string;
  @Column({ name: 'brand_accent_color' }) brandAccentColor!: string;
  @Column({ name: 'logo_url', type: 'text', nullable: true }) logoUrl!: string | null;
  @Column({ name: 'from_name' }) fromName!: string;
  @Column({ name: 'reply_to', type: 'text', nullable: true }) replyTo!: string | null;
  @Column() timezone!: string;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;
}
