import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { ClubContext } from '../../club/auth/club-context';
import { DomainException } from '../../common/errors/domain.exception';
import { Page, PageQuery, toPage } from '../../common/http/page';
import {
  BlastMessageResponse,
  BlastResponse,
  BlastSummaryResponse,
  type ListBlastMessagesQuery,
} from '../dtos/blast.dto';
import { BlastMessagesRepository } from '../repositories/blast-messages.repository';
import { BlastsRepository } from '../repositories/blasts.repository';
import { BlastPlanningService } from './blast-planning.service';

/** What the admin routes show of blasts: the list, one blast's counts, its messages. */
@Injectable()
export class BlastViewsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly planning: BlastPlanningService,
    private readonly blasts: BlastsRepository,
    private readonly blastMessages: BlastMessagesRepository,
  ) {}

  async get(club: ClubContext, id: number): Promise<BlastResponse> {
    const blast = await this.blasts.find(this.db.manager, club.tenantId, id);
    return BlastResponse.of(blast, await this.blastMessages.tally(club.tenantId, id));
  }

  /** Every blast of the club, oldest first; GET /blasts/:id has a blast's counts and failures. */
  async list(club: ClubContext, query: PageQuery): Promise<Page<BlastSummaryResponse>> {
    const { rows, limit } = await this.blasts.page(club.tenantId, query);
    return toPage(rows, limit, BlastSummaryResponse.of);
  }

  /** Who a blast mailed (or will), and what became of each message. */
  async messages(
    club: ClubContext,
    id: number,
    query: ListBlastMessagesQuery,
  ): Promise<Page<BlastMessageResponse>> {
    await this.blasts.find(this.db.manager, club.tenantId, id);
    const { rows, limit } = await this.blastMessages.page(club.tenantId, id, query, query.status);
    return toPage(rows, limit, BlastMessageResponse.of);
  }

  /** The message as sent, or, before the send, as it would be rendered now. */
  async messageHtml(club: ClubContext, id: number, parentId: number): Promise<string> {
    const blast = await this.blasts.find(this.db.manager, club.tenantId, id);
    const message = await this.blastMessages.forParent(club.tenantId, id, parentId);
    if (message?.html) return message.html;
    const html = await this.planning.renderNow(blast, parentId);
    if (html === undefined || message)
      throw DomainException.notFound('Message for parent', parentId);
    return html;
  }
}
