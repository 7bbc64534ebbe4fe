import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';

export interface SavedCard {
  paymentMethodId: string;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
}

/** The family's Stripe customer and saved card, on `parents`. */
@Injectable()
export class SavedCardsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** In the payment's webhook transaction: the customer its session made for the family. */
  async rememberCustomer(
    manager: EntityManager,
    tenantId: number,
    parentId: number,
    customerId: string,
  ): Promise<void> {
    await manager.query(
      `UPDATE parents SET stripe_customer_id = $3, updated_at = now()
       WHERE tenant_id = $1 AND id = $2 AND stripe_customer_id IS DISTINCT FROM $3`,
      [tenantId, parentId, customerId],
    );
  }

  /** The card, kept only for the customer the family still has. */
  async save(tenantId: number, parentId: number, customerId: string, card: SavedCard) {
    await this.db.query(
      `UPDATE parents SET autopay_payment_method_id = $4, card_brand = $5, card_last4 = $6,
              card_exp_month = $7, card_exp_year = $8, card_removed_at = NULL, updated_at = now()
       WHERE tenant_id = $1 AND id = $2 AND stripe_customer_id = $3`,
      [
        tenantId,
        parentId,
        customerId,
        card.paymentMethodId,
        card.brand,
        card.last4,
        card.expMonth,
        card.expYear,
      ],
    );
  }

  async removalTold(tenantId: number, parentId: number): Promise<void> {
    await this.db.query(
      `UPDATE parents SET card_removed_at = NULL WHERE tenant_id = $1 AND id = $2 AND autopay_payment_method_id IS NULL`,
      [tenantId, parentId],
    );
  }

  /** Stripe says the card is gone (detached, expired): the family pays by link from now on. */
  async forget(
    manager: EntityManager | undefined,
    paymentMethodId: string,
  ): Promise<number | undefined> {
    const [rows] = (await (manager ?? this.db.manager).query(
      `UPDATE parents SET autopay_payment_method_id = NULL, card_brand = NULL, card_last4 = NULL,
              card_exp_month = NULL, card_exp_year = NULL, card_removed_at = now(), updated_at = now()
       WHERE autopay_payment_method_id = $1
       RETURNING tenant_id`,
      [paymentMethodId],
    )) as [{ tenant_id: number }[], number];
    return rows[0]?.tenant_id;
  }
}
