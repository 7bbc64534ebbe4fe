import { Body, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiConflictResponse, ApiCreatedResponse, ApiOkResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminController } from '../../club/auth/admin-controller.decorator';
import { type ClubContext, CurrentClub } from '../../club/auth/club-context';
import { OrderResponse } from '../../orders/dtos/order.dto';
import { IdPipe } from '../../common/http/id.pipe';
import type { Page } from '../../common/http/page';
import {
  CreatePaymentLinkDto,
  ListPaymentLinksQuery,
  PaymentLinkResponse,
} from '../dtos/payment-link.dto';
import { PaymentLinksService } from '../services/payment-links.service';

@AdminController('', 'payment links')
export class PaymentLinksController {
  constructor(private readonly links: PaymentLinksService) {}

  @Post('payment-links')
  @ApiCreatedResponse({
    type: PaymentLinkResponse,
    description: 'A new link (201) or the active one (200)',
  })
  async mint(
    @CurrentClub() club: ClubContext,
    @Body() dto: CreatePaymentLinkDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PaymentLinkResponse> {
    const { link, created } = await this.links.mintForItem(club, dto);
    res.status(created ? 201 : 200);
    return link;
  }

  /** Only an unpaid order; its pay link stops taking money before the order is cancelled. */
  @Post('orders/:id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: OrderResponse })
  @ApiConflictResponse({ description: 'Only a pending or failed order can be cancelled' })
  cancelOrder(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
  ): Promise<OrderResponse> {
    return this.links.cancelOrder(club, id);
  }

  @Post('orders/:id/payment-link')
  @ApiCreatedResponse({
    type: PaymentLinkResponse,
    description: 'A new link (201) or the active one (200)',
  })
  async mintForOrder(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
    @Res({ passthrough: true }) res: Response,
  ): Promise<PaymentLinkResponse> {
    const { link, created } = await this.links.mintForOrder(club, id);
    res.status(created ? 201 : 200);
    return link;
  }

  @Get('payment-links')
  list(
    @CurrentClub() club: ClubContext,
    @Query() query: ListPaymentLinksQuery,
  ): Promise<Page<PaymentLinkResponse>> {
    return this.links.list(club, query);
  }

  @Get('payment-links/:id')
  @ApiOkResponse({ type: PaymentLinkResponse })
  get(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
  ): Promise<PaymentLinkResponse> {
    return this.links.get(club, id);
  }

  @Post('payment-links/:id/deactivate')
  @HttpCode(200)
  @ApiOkResponse({ type: PaymentLinkResponse })
  deactivate(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
  ): Promise<PaymentLinkResponse> {
    return this.links.deactivate(club, id);
  }
}
