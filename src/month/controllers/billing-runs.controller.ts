import { Body, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminController } from '../../club/auth/admin-controller.decorator';
import { type ClubContext, CurrentClub } from '../../club/auth/club-context';
import { IdPipe } from '../../common/http/id.pipe';
import { type Page, PageQuery } from '../../common/http/page';
import {
  BillingRunPreview,
  BillingRunResponse,
  ChargeResponse,
  StartBillingRunDto,
} from '../dtos/billing-run.dto';
import { BillingRunsService } from '../services/billing-runs.service';

@AdminController('billing/runs', 'billing')
export class BillingRunsController {
  constructor(private readonly runs: BillingRunsService) {}

  /** A dry run (the default) answers the preview; a commit makes the orders and runs the rest as a job. */
  @Post()
  @ApiOkResponse({ type: BillingRunPreview, description: 'dry_run: what would happen' })
  @ApiAcceptedResponse({ type: BillingRunResponse, description: 'The run started' })
  async start(
    @CurrentClub() club: ClubContext,
    @Body() dto: StartBillingRunDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<BillingRunPreview | BillingRunResponse> {
    if (dto.dry_run !== false) return this.runs.preview(club, dto.period);
    res.status(202);
    return this.runs.start(club, dto.period);
  }

  @Get()
  list(
    @CurrentClub() club: ClubContext,
    @Query() query: PageQuery,
  ): Promise<Page<BillingRunResponse>> {
    return this.runs.list(club, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: BillingRunResponse })
  get(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
  ): Promise<BillingRunResponse> {
    return this.runs.get(club, id);
  }
}

@AdminController('orders', 'orders')
export class OrderChargesController {
  constructor(private readonly runs: BillingRunsService) {}

  /** Tries the family's saved card once more for one owed order (paid when Stripe's webhook says so). */
  @Post(':id/charge')
  @HttpCode(200)
  @ApiOkResponse({ type: ChargeResponse })
  charge(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
  ): Promise<ChargeResponse> {
    return this.runs.chargeOrder(club, id);
  }
}
