import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { EmailMessage } from '../entities/email-message.entity';
import type { FamilyMessage } from '../family-message';

export interface ReceiptFacts {
  order_id: number;
  parent_id: number;
  parent_name: string;
  email: string | null;
  player_name: string;
  item: string;
  amount_cents: number;
  currency: string;
  paid_at: Date;
}

/** Receipts: what a paid order's receipt says, and its one message row per order. */
@Injectable()
export class ReceiptsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** What a receipt says about a paid order; nothing when the order is not paid. */
  async facts(tenantId: number, orderId: number): Promise<ReceiptFacts | undefined> {
    const [row] = (await this.db.query(
      `SELECT o.id AS order_id, o.parent_id, p.name AS parent_name, p.email,
              pl.name AS player_name, pr.name AS item, o.amount_paid_cents AS amount_cents,
              trim(o.currency) AS currency, o.paid_at
       FROM orders o
       JOIN parents p ON p.tenant_id = o.tenant_id AND p.id = o.parent_id
       JOIN players pl ON pl.tenant_id = o.tenant_id AND pl.id = o.player_id
       JOIN products pr ON pr.tenant_id = o.tenant_id AND pr.id = o.product_id
       WHERE o.tenant_id = $1 AND o.id = $2 AND o.paid_at IS NOT NULL`,
      [tenantId, orderId],
    )) as ReceiptFacts[];
    return row;
  }

  /** Writes the order's receipt row, unless it already has one (a partial unique index). */
  async insertOnce(tenantId: number, orderId: number, receipt: FamilyMessage): Promise<void> {
    await this.db
      .createQueryBuilder()
      .insert()
      .into(EmailMessage)
      .values({
        ...receipt,
        tenantId,
        receiptOrderId: orderId,
        emailType: 'receipt',
        contentDigest: `order:${orderId}`,
        attempts: 0,
      })
      .orIgnore()
      .execute();
  }
}
