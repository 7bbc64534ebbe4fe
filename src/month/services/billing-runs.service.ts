import { Injectable } from '@nestjs/common';
import { ClubContext } from '../../club/auth/club-context';
import { DomainException } from '../../common/errors/domain.exception';
import { DEFAULT_PAGE_SIZE, type Page, PageQuery } from '../../common/http/page';
import { BillingRunPreview, BillingRunResponse, ChargeResponse } from '../dtos/billing-run.dto';
import { MonthRunRepository } from '../repositories/month-run.repository';
import { AutopayService } from './autopay.service';
import { MonthRunService } from './month-run.service';

/** The admin routes of the month: preview or start a run, read runs, retry one saved card. */
@Injectable()
export class BillingRunsService {
  constructor(
    private readonly month: MonthRunService,
    private readonly runs: MonthRunRepository,
    private readonly autopay: AutopayService,
  ) {}

  async preview(club: ClubContext, month: string): Promise<BillingRunPreview> {
    return BillingRunPreview.of(await this.month.prepare(club, month, false));
  }

  /** The orders are made now (one statement); charges and links follow in a job. */
  async start(club: ClubContext, month: string): Promise<BillingRunResponse> {
    const prepared = await this.month.prepare(club, month, true);
    await this.month.enqueue(club, month);
    return BillingRunResponse.of(prepared.run!);
  }

  async list(club: ClubContext, query: PageQuery): Promise<Page<BillingRunResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.runs.page(club.tenantId, query.starting_after, limit + 1);
    return { data: rows.slice(0, limit).map(BillingRunResponse.of), has_more: rows.length > limit };
  }

  async get(club: ClubContext, id: number): Promise<BillingRunResponse> {
    const run = await this.runs.byId(club.tenantId, id);
    if (!run) throw DomainException.notFound('Billing run', id);
    return BillingRunResponse.of(run);
  }

  async chargeOrder(club: ClubContext, orderId: number): Promise<ChargeResponse> {
    const [order] = await this.runs.orders(club.tenantId, null, orderId);
    if (!order) throw DomainException.notFound('Order', orderId);
    const settled = await this.autopay.retry(club, order);
    return {
      status: settled.status,
      result: settled.result,
      charge_failed: !!settled.chargeFailed,
    };
  }
}
