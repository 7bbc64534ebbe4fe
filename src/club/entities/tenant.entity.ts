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
  /** The month run: on this day of each month (1–28), at this hour of the club's local time. */
  @Column({ name: 'billing_day' }) billingDay!: number;
  @Column({ name: 'billing_hour_local' }) billingHourLocal!: number;
  @Column({ name: 'autopay_enabled' }) autopayEnabled!: boolean;
  /** Days after an order is due when a reminder goes out; empty means none. */
  @Column({ name: 'reminder_days', type: 'integer', array: true }) reminderDays!: number[];
  /** Local times ('HH:MM:SS') between which nothing is mailed. */
  @Column({ name: 'quiet_hours_start', type: 'time' }) quietHoursStart!: string;
  @Column({ name: 'quiet_hours_end', type: 'time' }) quietHoursEnd!: string;
  @Column({ name: 'auto_send_statements' }) autoSendStatements!: boolean;
  @Column({ name: 'created_at', type: 'timestamptz', insert: false, update: false })
  createdAt!: Date;
}
