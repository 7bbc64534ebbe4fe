import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One reminder step of one order that reached a family (unique per parent, order and step), and
 * the message that carried it: one message may cover several orders and steps.
 */
@Entity('reminders_sent')
export class ReminderSent {
  @PrimaryGeneratedColumn('identity', { generatedIdentity: 'ALWAYS' }) id!: number;
  @Column({ name: 'tenant_id' }) tenantId!: number;
  @Column({ name: 'parent_id' }) parentId!: number;
  @Column({ name: 'order_id' }) orderId!: number;
  /** The day of the club's `reminder_days` this reminder stood for. */
  @Column() step!: number;
  @Column({ name: 'email_message_id', type: 'integer', nullable: true })
  emailMessageId!: number | null;
  @Column({ name: 'sent_at', type: 'timestamptz', insert: false, update: false }) sentAt!: Date;
}
