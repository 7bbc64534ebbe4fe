import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { Overpayment } from '../entities/overpayment.entity';

export type NewOverpayment = Pick<
  Overpayment,
  | 'tenantId'
  | 'orderId'
  | 'stripeCheckoutSessionId'
  | 'stripePaymentIntentId'
  | 'amountCents'
  | 'currency'
>;

/** Second payments of an item, one row per Checkout Session (its unique key). */
@Injectable()
export class OverpaymentsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** The new row's id; undefined when this session is already recorded. */
  async insertNew(
    manager: EntityManager,
    overpayment: NewOverpayment,
  ): Promise<number | undefined> {
    const inserted = await manager
      .createQueryBuilder()
      .insert()
      .into(Overpayment)
      .values(overpayment)
      .orIgnore()
      .returning(['id'])
      .execute();
    return (inserted.raw as { id: number }[])[0]?.id;
  }

  existsForPaymentIntent(manager: EntityManager, paymentIntentId: string): Promise<boolean> {
    return manager.existsBy(Overpayment, { stripePaymentIntentId: paymentIntentId });
  }

  find(id: number): Promise<Overpayment> {
    return this.db.manager.findOneByOrFail(Overpayment, { id });
  }

  async markRefunded(id: number, stripeRefundId: string): Promise<void> {
    await this.db.manager.update(Overpayment, { id }, { stripeRefundId, refundedAt: new Date() });
  }
}
