import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, LessThan } from 'typeorm';
import { definedOnly } from '../../common/club-records';
import { preparedQuery } from '../../database/prepared-query';
import { EventOutcome, ReplayableOutcome, StripeEvent } from '../entities/stripe-event.entity';
import type { EventDecision } from '../services/event-decision';
import type { InboxEntry } from '../services/stripe-delivery';

/**
 * A refund or dispute that came before its payment: stored as unmatched until the PaymentIntent
 * named by `param` pays an order (the partial index stripe_events_waiting_idx serves it).
 */
const waitingFor = (param: string) =>
  `outcome = 'unmatched' AND type IN ('charge.refunded', 'charge.dispute.created')
   AND payload #>> '{data,object,payment_intent}' = ${param}`;

/** Stripe's clock, to order stored events by; none for a payload without a numeric `created`. */
const STRIPE_CREATED = `CASE WHEN jsonb_typeof(payload -> 'created') = 'number'
  THEN (payload ->> 'created')::numeric END`;

export interface StoredEvent {
  id: string;
  type: string;
  tenantId: number | null;
  outcome: EventOutcome | null;
  note: string | null;
  /** As delivered: readEvent says whether it is an event Courtside can apply. */
  payload: unknown;
}

/**
 * The webhook inbox (stripe_events). The statements every delivery runs are prepared
 * (preparedQuery) and take the delivery's transaction.
 */
@Injectable()
export class StripeEventsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Stores a delivery unless its id is already stored: false for a duplicate. */
  async insertNew(manager: EntityManager, entry: InboxEntry): Promise<boolean> {
    const inserted = await preparedQuery<unknown[]>(
      manager,
      `INSERT INTO stripe_events (id, type, livemode, api_version, payload) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [entry.id, entry.type, entry.livemode, entry.apiVersion, JSON.stringify(entry.payload)],
    );
    return inserted.length > 0;
  }

  async countRedelivery(manager: EntityManager, eventId: string): Promise<void> {
    await preparedQuery(manager, 'UPDATE stripe_events SET attempts = attempts + 1 WHERE id = $1', [
      eventId,
    ]);
  }

  /**
   * Stores what the event came to; true when it recorded a payment that refunds or disputes wait
   * for. The same statement asks, so a payment with nothing waiting costs no extra round trip.
   */
  async saveDecision(
    manager: EntityManager,
    eventId: string,
    decision: EventDecision,
  ): Promise<boolean> {
    const [[saved]] = await preparedQuery<[{ awaited: boolean }[], number]>(
      manager,
      `UPDATE stripe_events
       SET outcome = $2, tenant_id = $3, error = $4, processed_at = clock_timestamp()
       WHERE id = $1
       RETURNING $5::text IS NOT NULL AND EXISTS (
         SELECT 1 FROM stripe_events waiting WHERE ${waitingFor('$5')}
       ) AS awaited`,
      [
        eventId,
        decision.outcome,
        decision.tenantId ?? null,
        decision.note ?? null,
        decision.paidPaymentIntent ?? null,
      ],
    );
    return saved?.awaited ?? false;
  }

  /** Refunds and disputes waiting for this PaymentIntent's payment, oldest first. */
  waitingFor(
    manager: EntityManager,
    paymentIntentId: string,
  ): Promise<{ id: string; payload: unknown }[]> {
    return preparedQuery(
      manager,
      `SELECT id, payload FROM stripe_events WHERE ${waitingFor('$1')}
       ORDER BY ${STRIPE_CREATED}, received_at`,
      [paymentIntentId],
    );
  }

  /** The stored event, its row locked until the transaction ends. */
  lock(manager: EntityManager, eventId: string): Promise<StripeEvent | null> {
    return manager.findOne(StripeEvent, {
      where: { id: eventId },
      lock: { mode: 'pessimistic_write' },
    });
  }

  /** Which of these events are already in the inbox, with what they came to. */
  async stored(ids: readonly string[]): Promise<Map<string, Omit<StoredEvent, 'payload'>>> {
    if (ids.length === 0) return new Map();
    const rows = await this.db.manager.find(StripeEvent, {
      select: { id: true, type: true, tenantId: true, outcome: true, error: true },
      where: { id: In([...ids]) },
    });
    return new Map(
      rows.map((row) => [
        row.id,
        {
          id: row.id,
          type: row.type,
          tenantId: row.tenantId,
          outcome: row.outcome,
          note: row.error,
        },
      ]),
    );
  }

  /**
   * Stored events to re-apply: one by id, or every one with an outcome (of one club, when
   * given), oldest first by Stripe's clock so that a payment goes before its refund.
   */
  async findStored(
    filter: { id: string } | { outcome: ReplayableOutcome; tenantId?: number },
  ): Promise<StoredEvent[]> {
    const rows = (await this.db.query(
      `SELECT id, type, tenant_id, outcome, error, payload FROM stripe_events
       WHERE ${'id' in filter ? 'id = $1' : 'outcome = $1 AND ($2::int IS NULL OR tenant_id = $2)'}
       ORDER BY ${STRIPE_CREATED}, received_at, id`,
      'id' in filter ? [filter.id] : [filter.outcome, filter.tenantId ?? null],
    )) as {
      id: string;
      type: string;
      tenant_id: number | null;
      outcome: EventOutcome | null;
      error: string | null;
      payload: unknown;
    }[];
    return rows.map((row) => ({
      id: row.id,
      type: row.type,
      tenantId: row.tenant_id,
      outcome: row.outcome,
      note: row.error,
      payload: row.payload,
    }));
  }

  /** A page of one club's events, newest first; `startingAfter` is the last event id seen. */
  async newestOfClub(
    tenantId: number,
    filter: { outcome?: EventOutcome; type?: string; startingAfter?: string },
    take: number,
  ): Promise<StripeEvent[]> {
    return this.db.manager.find(StripeEvent, {
      where: {
        ...definedOnly({ outcome: filter.outcome, type: filter.type }),
        tenantId,
        ...(filter.startingAfter && {
          receivedAt: LessThan(await this.receivedAt(filter.startingAfter)),
        }),
      },
      order: { receivedAt: 'DESC', id: 'DESC' },
      take,
    });
  }

  private async receivedAt(id: string): Promise<Date> {
    return (await this.db.manager.findOneBy(StripeEvent, { id }))?.receivedAt ?? new Date(0);
  }
}
