import { Injectable } from '@nestjs/common';
import { ClubContext } from '../../club/auth/club-context';
import { DEFAULT_PAGE_SIZE, Page, toPage } from '../../common/http/page';
import { ListWebhookEventsQuery, WebhookEventResponse } from '../dtos/webhook-event.dto';
import { StripeEventsRepository } from '../repositories/stripe-events.repository';

/** The club's view of its webhook inbox: what was applied, and what needs a person. */
@Injectable()
export class WebhookEventsService {
  constructor(private readonly inbox: StripeEventsRepository) {}

  /** Newest first; `starting_after` is an event id from the previous page. */
  async list(
    club: ClubContext,
    query: ListWebhookEventsQuery,
  ): Promise<Page<WebhookEventResponse>> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await this.inbox.newestOfClub(
      club.tenantId,
      { outcome: query.outcome, type: query.type, startingAfter: query.starting_after },
      limit + 1,
    );
    return toPage(rows, limit, WebhookEventResponse.of);
  }
}
