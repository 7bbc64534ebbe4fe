import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OWED } from '../../orders/order-status';
import { EmailMessage } from '../entities/email-message.entity';
import type { FamilyMessage } from '../family-message';

export interface AutopayFailureFacts {
  parent_name: string;
  email: string | null;
  card_brand: string | null;
  card_last4: string | null;
  /** The month billed, `YYYY-MM`. */
  month: string;
  /** The most recent refusal's code. */
  reason: string;
  items: {
    player_name: string;
    item: string;
    amount_cents: number;
    currency: string;
    pay_url: string;
  }[];
}

/** What a family's "your card was not charged" mail says, and its one message row. */
@Injectable()
export class AutopayNoticesRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * The family's orders of the run whose last charge try failed and that are still owed with a
   * Pay Now link; nothing when there are none (paid meanwhile, or no link yet).
   */
  async facts(
    tenantId: number,
    runId: number,
    parentId: number,
  ): Promise<AutopayFailureFacts | undefined> {
    const [row] = (await this.db.query(
      `SELECT p.name AS parent_name, p.email, p.card_brand, p.card_last4,
              to_char(min(o.billing_period), 'YYYY-MM') AS month,
              (array_agg(a.decline_code ORDER BY a.created_at DESC))[1] AS reason,
              json_agg(json_build_object('player_name', pl.name, 'item', pr.name, 'amount_cents', o.amount_cents,
                                         'currency', trim(o.currency), 'pay_url', l.url) ORDER BY o.id) AS items
       FROM orders o
       JOIN parents p ON p.tenant_id = o.tenant_id AND p.id = o.parent_id
       JOIN players pl ON pl.tenant_id = o.tenant_id AND pl.id = o.player_id
       JOIN products pr ON pr.tenant_id = o.tenant_id AND pr.id = o.product_id
       JOIN payment_links l ON l.tenant_id = o.tenant_id AND l.order_id = o.id AND l.status = 'active'
       JOIN LATERAL (
         SELECT c.decline_code, c.status, c.created_at FROM charge_attempts c
         WHERE c.tenant_id = o.tenant_id AND c.order_id = o.id ORDER BY c.attempt DESC LIMIT 1
       ) a ON a.status IN ('failed', 'requires_action')
       WHERE o.tenant_id = $1 AND o.billing_run_id = $2 AND o.parent_id = $3
         AND o.status = ANY($4::order_status[])
       GROUP BY p.id`,
      [tenantId, runId, parentId, OWED],
    )) as AutopayFailureFacts[];
    return row;
  }

  /** Writes the family's notice for the run unless it exists: a run, re-run or not, mails once. */
  async insertOnce(tenantId: number, messageKey: string, notice: FamilyMessage): Promise<void> {
    await this.db
      .createQueryBuilder()
      .insert()
      .into(EmailMessage)
      .values({
        ...notice,
        tenantId,
        messageKey,
        emailType: 'autopay_failed',
        contentDigest: messageKey,
        attempts: 0,
      })
      .orIgnore()
      .execute();
  }
}
