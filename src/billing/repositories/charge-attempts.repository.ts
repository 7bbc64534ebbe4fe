import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import type { SavedCardCharge } from '../../stripe/stripe.service';

export type ChargeAttemptStatus = 'processing' | 'succeeded' | 'failed' | 'requires_action';

export interface ChargeAttemptRow {
  id: number;
  order_id: number;
  parent_id: number;
  attempt: number;
  idempotency_key: string;
  stripe_payment_method_id: string | null;
  stripe_payment_intent_id: string | null;
  status: ChargeAttemptStatus;
  decline_code: string | null;
  message: string | null;
  created_at: Date;
}

/** `charge_attempts`: every off-session try of a saved card, kept as the order's story. */
@Injectable()
export class ChargeAttemptsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The order's try number `attempt`, written before Stripe is called (so a crash leaves it
   * `processing`, and the retry reuses its key); an existing row with that number is returned.
   */
  async begin(
    tenantId: number,
    attempt: {
      orderId: number;
      parentId: number;
      attempt: number;
      key: string;
      paymentMethod: string | null;
    },
  ): Promise<ChargeAttemptRow> {
    await this.db.query(
      `INSERT INTO charge_attempts (tenant_id, order_id, parent_id, attempt, idempotency_key, stripe_payment_method_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (tenant_id, order_id, attempt) DO NOTHING`,
      [
        tenantId,
        attempt.orderId,
        attempt.parentId,
        attempt.attempt,
        attempt.key,
        attempt.paymentMethod,
      ],
    );
    const [row] = (await this.db.query(
      `SELECT * FROM charge_attempts WHERE tenant_id = $1 AND order_id = $2 AND attempt = $3`,
      [tenantId, attempt.orderId, attempt.attempt],
    )) as ChargeAttemptRow[];
    return row;
  }

  /** Stripe's answer to the try; a webhook that already said `succeeded` is not undone. */
  async answer(tenantId: number, id: number, charge: SavedCardCharge): Promise<void> {
    const failed = charge.outcome === 'failed' ? charge : undefined;
    await this.db.query(
      `UPDATE charge_attempts
       SET status = CASE WHEN status = 'succeeded' THEN status ELSE $3::charge_attempt_status END,
           stripe_payment_intent_id = COALESCE($4, stripe_payment_intent_id),
           decline_code = $5, message = $6, updated_at = now()
       WHERE tenant_id = $1 AND id = $2`,
      [
        tenantId,
        id,
        charge.outcome,
        charge.paymentIntentId,
        failed ? (failed.declineCode ?? failed.code) : null,
        failed?.message ?? null,
      ],
    );
  }

  /**
   * In a webhook's transaction: the try that made this PaymentIntent, marked succeeded. Only a
   * PaymentIntent Courtside created for the order's saved card can pay it without a link.
   */
  async succeeded(
    manager: EntityManager,
    tenantId: number,
    orderId: number,
    attempt: number,
    paymentIntentId: string,
  ): Promise<boolean> {
    const [, updated] = (await manager.query(
      `UPDATE charge_attempts SET status = 'succeeded', stripe_payment_intent_id = $4, updated_at = now()
       WHERE tenant_id = $1 AND order_id = $2 AND attempt = $3
         AND (stripe_payment_intent_id IS NULL OR stripe_payment_intent_id = $4)
       RETURNING id`,
      [tenantId, orderId, attempt, paymentIntentId],
    )) as [unknown[], number];
    return updated > 0;
  }

  /** A family whose card is gone: the try the run records instead of calling Stripe. */
  async cardRemoved(
    tenantId: number,
    attempt: { orderId: number; parentId: number; attempt: number; key: string },
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO charge_attempts (tenant_id, order_id, parent_id, attempt, idempotency_key, status, decline_code, message)
       VALUES ($1, $2, $3, $4, $5, 'failed', 'payment_method_removed', 'The saved card was removed at Stripe')
       ON CONFLICT (tenant_id, order_id, attempt) DO NOTHING`,
      [tenantId, attempt.orderId, attempt.parentId, attempt.attempt, attempt.key],
    );
  }
}
