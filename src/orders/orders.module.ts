import { Module } from '@nestjs/common';
import { ClubModule } from '../club/club.module';
import { OrdersController } from './controllers/orders.controller';
import { MonthOrdersRepository } from './repositories/month-orders.repository';
import { OrderPaymentsService } from './services/order-payments.service';
import { OrdersService } from './services/orders.service';

/**
 * Orders: the entity, its state machine (order-status.ts) and every write to the orders table.
 * An order's pay link is made and closed by PaymentLinksModule, which builds on this module;
 * so the mint and cancel routes live in PaymentLinksController (the other way round is a cycle).
 */
@Module({
  imports: [ClubModule],
  controllers: [OrdersController],
  providers: [OrdersService, OrderPaymentsService, MonthOrdersRepository],
  exports: [OrdersService, OrderPaymentsService, MonthOrdersRepository],
})
export class OrdersModule {}
