import { Get, Query } from '@nestjs/common';
import { AdminController } from '../../club/auth/admin-controller.decorator';
import { type ClubContext, CurrentClub } from '../../club/auth/club-context';
import type { Page } from '../../common/http/page';
import { ListWebhookEventsQuery, WebhookEventResponse } from '../dtos/webhook-event.dto';
import { WebhookEventsService } from '../services/webhook-events.service';

@AdminController('webhook-events', 'webhooks')
export class WebhookEventsController {
  constructor(private readonly events: WebhookEventsService) {}

  /** `?outcome=needs_review` and `?outcome=unmatched` are what a person should look at. */
  @Get()
  list(
    @CurrentClub() club: ClubContext,
    @Query() query: ListWebhookEventsQuery,
  ): Promise<Page<WebhookEventResponse>> {
    return this.events.list(club, query);
  }
}
