import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, LessThan } from 'typeorm';
import { ClubContext } from '../../club/auth/club-context';
import { definedOnly } from '../../common/club-records';
import { DEFAULT_PAGE_SIZE, Page, toPage } from '../../common/http/page';
import { ListWebhookEventsQuery, WebhookEventResponse } from '../dtos/webhook-event.dto';
import { StripeEvent } from '../entities/stripe-event.entity';

/** The club's view of its webhook inbox: what was applied, and what needs a person. */
@Injectable()
export class WebhookEventsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Newest first; `starting_after` is an event id from the previous page. */
  async list(
    club: ClubContext,
    query: ListWebhookEventsQuery,
  ): Promise<Page<WebhookEventResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.db.manager.find(StripeEvent, {
      where: {
        ...definedOnly({ outcome: query.outcome, type: query.type }),
        tenantId: club.tenantId,
        ...(query.starting_after && {
          receivedAt: LessThan(await this.receivedAt(query.starting_after)),
        }),
      },
      order: { receivedAt: 'DESC', id: 'DESC' },
      take: limit + 1,
    });
    return toPage(rows, limit, WebhookEventResponse.of);
  }

  private async receivedAt(id: string): Promise<Date> {
    return (await this.db.manager.findOneBy(StripeEvent, { id }))?.receivedAt ?? new Date(0);
  }
}
