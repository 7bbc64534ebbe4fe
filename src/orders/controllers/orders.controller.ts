import { Body, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse } from '@nestjs/swagger';
import type { Page } from '../../common/http/page';
import { IdPipe } from '../../common/http/id.pipe';
import { AdminController } from '../../club/auth/admin-controller.decorator';
import { type ClubContext, CurrentClub } from '../../club/auth/club-context';
import { CreateOrderDto, ListOrdersQuery, OrderResponse, UpdateOrderDto } from '../dtos/order.dto';
import { OrdersService } from '../services/orders.service';

/** Cancelling an order closes its pay link first: see PaymentLinksController. */
@AdminController('orders', 'orders')
export class OrdersController {
  constructor(private readonly orders: OrdersService) {}

  @Get()
  list(
    @CurrentClub() club: ClubContext,
    @Query() query: ListOrdersQuery,
  ): Promise<Page<OrderResponse>> {
    return this.orders.list(club, query);
  }

  @Post()
  @ApiOkResponse({ type: OrderResponse })
  create(@CurrentClub() club: ClubContext, @Body() dto: CreateOrderDto): Promise<OrderResponse> {
    return this.orders.create(club, dto);
  }

  @Get(':id')
  @ApiOkResponse({ type: OrderResponse })
  get(@CurrentClub() club: ClubContext, @Param('id', IdPipe) id: number): Promise<OrderResponse> {
    return this.orders.get(club, id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: OrderResponse })
  @ApiConflictResponse({
    description: 'The amount of an order with a link or a payment cannot change',
  })
  update(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
    @Body() dto: UpdateOrderDto,
  ): Promise<OrderResponse> {
    return this.orders.update(club, id, dto);
  }
}
