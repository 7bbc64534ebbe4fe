import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { ClubCrudService } from '../../common/club-crud.service';
import { ClubRecords } from '../../common/club-records';
import { DomainException } from '../../common/errors/domain.exception';
import { Page } from '../../common/http/page';
import { lockUntilCommit } from '../../database/advisory-lock';
import { ClubContext } from '../../club/auth/club-context';
import { CreateOrderDto, ListOrdersQuery, OrderResponse, UpdateOrderDto } from '../dtos/order.dto';
import { isOrderOwed, isOrderPaid, orderStatusesBefore, OWED } from '../order-status';
import { Order } from '../entities/order.entity';
import { playerRecords } from '../../club/services/players.service';
import { productRecords } from '../../club/services/products.service';

export const orderRecords = new ClubRecords(Order, 'Order');

export type DemoOrder = Pick<
  Order,
  'tenantId' | 'playerId' | 'parentId' | 'productId' | 'amountCents' | 'currency' | 'status'
> &
  Partial<Pick<Order, 'billingPeriod'>>;

/** Orders are never deleted: an order that is no longer owed is cancelled. */
@Injectable()
export class OrdersService extends ClubCrudService<Order, OrderResponse> {
  constructor(@InjectDataSource() db: DataSource, audit: AuditService) {
    super(db, audit, orderRecords, 'order', OrderResponse.of);
  }

  list(club: ClubContext, query: ListOrdersQuery): Promise<Page<OrderResponse>> {
    return this.listWhere(club, query, {
      status: query.status,
      playerId: query.player_id,
      parentId: query.parent_id,
    });
  }

  /** `billingPeriod` ('YYYY-MM-01') marks a month of dues: the month exists once per player. */
  create(
    club: ClubContext,
    dto: CreateOrderDto,
    within?: EntityManager,
    billingPeriod: string | null = null,
  ): Promise<OrderResponse> {
    return this.insert(
      club,
      async (manager) => {
        const player = await playerRecords.find(manager, club.tenantId, dto.player_id);
        const product = await productRecords.find(manager, club.tenantId, dto.product_id);
        if (!product.active)
          throw new DomainException('invalid_state', `Product ${product.id} is archived`);
        const amountCents = dto.amount_cents ?? product.priceCents;
        if (amountCents < 1) {
          throw new DomainException(
            'validation_failed',
            'The product is free; give amount_cents for this order',
            [{ field: 'amount_cents', problems: ['must be at least 1'] }],
          );
        }
        return {
          playerId: player.id,
          parentId: player.parentId,
          productId: product.id,
          // The order keeps its own amount: later price changes never touch it (money rule 2).
          amountCents,
          currency: product.currency,
          status: 'pending',
          amountPaidCents: 0,
          amountRefundedCents: 0,
          notes: dto.notes ?? null,
          billingPeriod,
        };
      },
      dto,
      within,
    );
  }

  /**
   * Held until `manager`'s transaction ends: every path that finds or makes a player's owed order
   * for an item takes it first, so two submits at once make one order. (No unique index can say
   * this: a player may rightly owe one item twice, such as two months of dues.)
   */
  lockItem(
    manager: EntityManager,
    tenantId: number,
    playerId: number,
    productId: number,
  ): Promise<void> {
    return lockUntilCommit(manager, `order-item:${tenantId}:${playerId}:${productId}`);
  }

  /** The demo club's orders (seed:demo): owed ones, and paid ones as if paid just now. */
  async seedDemo(manager: EntityManager, orders: DemoOrder[]): Promise<void> {
    const now = new Date();
    await manager.save(
      orders.map((order) =>
        manager.create(Order, {
          ...order,
          amountPaidCents: isOrderPaid(order.status) ? order.amountCents : 0,
          amountRefundedCents: 0,
          paidAt: isOrderPaid(order.status) ? now : null,
        }),
      ),
    );
  }

  update(club: ClubContext, id: number, dto: UpdateOrderDto): Promise<OrderResponse> {
    return this.patch(
      club,
      id,
      (order) => {
        if (dto.amount_cents !== undefined && dto.amount_cents !== order.amountCents) {
          if (!isOrderOwed(order.status) || order.stripePaymentLinkId) {
            throw new DomainException(
              'invalid_state',
              `Order ${id} already has a payment link or payment; cancel it and create a new order instead`,
            );
          }
        }
        return { amountCents: dto.amount_cents, notes: dto.notes };
      },
      dto,
    );
  }

  async cancel(club: ClubContext, id: number): Promise<OrderResponse> {
    return this.db.transaction(async (manager) => {
      const order = await orderRecords.find(manager, club.tenantId, id, { lock: true });
      const result = await manager.update(
        Order,
        { id, tenantId: club.tenantId, status: In(orderStatusesBefore('cancelled')) },
        { status: 'cancelled' },
      );
      if (!result.affected)
        throw new DomainException(
          'invalid_state',
          `Order ${id} is ${order.status} and cannot be cancelled`,
        );
      await this.audit.record(manager, club, 'order.cancelled', `order:${id}`, {
        from: order.status,
      });
      return OrderResponse.of(await orderRecords.find(manager, club.tenantId, id));
    });
  }

  /**
   * Cancels these orders in the caller's transaction, each one only while the state machine
   * allows it (their pay links are the caller's to retire first): the ids it cancelled. One
   * statement; the caller records why.
   */
  async cancelMany(manager: EntityManager, tenantId: number, ids: number[]): Promise<number[]> {
    if (ids.length === 0) return [];
    const result = await manager
      .createQueryBuilder()
      .update(Order)
      .set({ status: 'cancelled' })
      .where({ tenantId, id: In(ids), status: In(orderStatusesBefore('cancelled')) })
      .returning(['id'])
      .execute();
    return (result.raw as { id: number }[]).map((row) => row.id);
  }

  /** The player's oldest owed order for the item, if any: a new pay link for the item bills it. */
  oldestOwed(
    manager: EntityManager,
    tenantId: number,
    playerId: number,
    productId: number,
  ): Promise<Order | null> {
    return manager.findOne(Order, {
      where: { tenantId, playerId, productId, status: In([...OWED]) },
      order: { id: 'ASC' },
    });
  }

  /** A player's orders for an item, oldest first (in `manager`'s transaction, under lockItem). */
  itemOrders(
    manager: EntityManager,
    tenantId: number,
    playerId: number,
    productId: number,
  ): Promise<Order[]> {
    return manager.find(Order, { where: { tenantId, playerId, productId }, order: { id: 'ASC' } });
  }
}
