import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { ContractEndingsHook, EndedContracts } from '../../club/contracts/contract-endings.hook';
import { firstDayOf, monthOf } from '../../common/month/billing-month';
import { OrdersService } from '../../orders/services/orders.service';
import { LinkRetirementService } from '../../payment-links/services/link-retirement.service';
import { ContractEndingsRepository } from '../repositories/contract-endings.repository';

/**
 * What a terminated contract does to the family's bill (monthly-cycle.md §3), inside the
 * transaction that terminates it: the months after the current one, and a never-started player's
 * first month, are cancelled, their pay links retired here and closed at Stripe by the retirement
 * job. What the player already owes for months they played, and every other item, stays owed.
 *
 * Registered on ContractEndingsHook: the players' paths live in the club module, which the
 * billing module builds on and so cannot be imported from there.
 */
@Injectable()
export class ContractEndingsService implements OnModuleInit {
  constructor(
    private readonly hook: ContractEndingsHook,
    private readonly endings: ContractEndingsRepository,
    private readonly orders: OrdersService,
    private readonly retirement: LinkRetirementService,
    private readonly audit: AuditService,
  ) {}

  onModuleInit(): void {
    this.hook.register((manager, ended) => this.settle(manager, ended));
  }

  async settle(manager: EntityManager, { club, playerIds, today }: EndedContracts): Promise<void> {
    const currentPeriod = firstDayOf(monthOf(today))!;
    const ended = await this.endings.endedOrders(manager, club.tenantId, playerIds, currentPeriod);
    // The link first, as PaymentLinksService.cancelOrder does: it must take no more money.
    for (const order of ended)
      if (order.stripe_payment_link_id)
        await this.retirement.retireAfterPayment(
          manager,
          club.tenantId,
          order.stripe_payment_link_id,
          'deactivated',
        );
    const cancelled = new Set(
      await this.orders.cancelMany(
        manager,
        club.tenantId,
        ended.map((order) => order.order_id),
      ),
    );
    for (const order of ended.filter((o) => cancelled.has(o.order_id)))
      await this.audit.record(manager, club, 'order.cancelled', `order:${order.order_id}`, {
        from: order.status,
        reason:
          order.reason === 'never_started' ? 'contract_ended_never_started' : 'contract_ended',
        player_id: order.player_id,
        billing_period: order.billing_period,
      });
  }
}
