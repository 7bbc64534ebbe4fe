import { Column, Entity, PrimaryColumn } from 'typeorm';

export const EVENT_OUTCOMES = [
  'processed',
  'duplicate',
  'ignored',
  'unmatched',
  'needs_review',
  'failed',
] as const;
export type EventOutcome = (typeof EVENT_OUTCOMES)[number];

/** Stored outcomes that another try may change; the others are final. */
export const REPLAYABLE_OUTCOMES = ['failed', 'unmatched', 'needs_review'] as const;
export type ReplayableOutcome = (typeof REPLAYABLE_OUTCOMES)[number];

export const isReplayable = (outcome: string): outcome is ReplayableOutcome =>
  (REPLAYABLE_OUTCOMES as readonly string[]).includes(outcome);

/** The webhook inbox: every event Stripe sent, once, keyed by Stripe's id. */
@Entity('stripe_events')
export class StripeEvent {
  @PrimaryColumn() id!: string;
  @Column() type!: string;
  @Column() livemode!: boolean;
  @Column({ name: 'api_version', type: 'text', nullable: true }) apiVersion!: string | null;
  @Column({ type: 'jsonb' }) payload!: Record<string, unknown>;
  @Column({ name: 'tenant_id', type: 'integer', nullable: true }) tenantId!: number | null;
  @Column({ name: 'received_at', type: 'timestamptz', insert: false, update: false })
  receivedAt!: Date;
  @Column({ name: 'processed_at', type: 'timestamptz', nullable: true }) processedAt!: Date | null;
  @Column({ type: 'enum', enum: EVENT_OUTCOMES, enumName: 'stripe_event_outcome', nullable: true })
  outcome!: EventOutcome | null;
  @Column({ type: 'text', nullable: true }) error!: string | null;
  @Column() attempts!: number;
}
