import { Body, Get, HttpCode, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProduces,
} from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminController } from '../../club/auth/admin-controller.decorator';
import { type ClubContext, CurrentClub } from '../../club/auth/club-context';
import { IdPipe } from '../../common/http/id.pipe';
import { type Page, PageQuery } from '../../common/http/page';
import {
  BlastMessageResponse,
  BlastPreviewResponse,
  BlastRequest,
  BlastResponse,
  BlastSummaryResponse,
  ListBlastMessagesQuery,
  OneClickBlastResponse,
  OutstandingBalanceBlastQuery,
  QueriesResponse,
} from '../dtos/blast.dto';
import { BlastPlanningService } from '../services/blast-planning.service';
import { BlastSendingService } from '../services/blast-sending.service';
import { BlastViewsService } from '../services/blast-views.service';

@AdminController('email', 'email')
export class EmailController {
  constructor(
    private readonly planning: BlastPlanningService,
    private readonly sending: BlastSendingService,
    private readonly views: BlastViewsService,
  ) {}

  /** The blast registry: the queries a blast can mail, with their parameters. */
  @Get('queries')
  @ApiOkResponse({ type: QueriesResponse })
  queries(): QueriesResponse {
    return this.planning.queries();
  }

  /** Previews a blast: who would be mailed, who is skipped and why, the first family's message. */
  @Post('blasts')
  @ApiCreatedResponse({ type: BlastPreviewResponse })
  preview(
    @CurrentClub() club: ClubContext,
    @Body() body: BlastRequest,
  ): Promise<BlastPreviewResponse> {
    return this.planning.preview(club, body);
  }

  /** Every blast of the club, oldest first. */
  @Get('blasts')
  list(
    @CurrentClub() club: ClubContext,
    @Query() query: PageQuery,
  ): Promise<Page<BlastSummaryResponse>> {
    return this.views.list(club, query);
  }

  @Get('blasts/:id')
  @ApiOkResponse({ type: BlastResponse })
  get(@CurrentClub() club: ClubContext, @Param('id', IdPipe) id: number): Promise<BlastResponse> {
    return this.views.get(club, id);
  }

  /** Sends a previewed blast, once: a second call answers 409 with the blast's status. */
  @Post('blasts/:id/send')
  @HttpCode(200)
  @ApiOkResponse({ type: BlastResponse })
  send(@CurrentClub() club: ClubContext, @Param('id', IdPipe) id: number): Promise<BlastResponse> {
    return this.sending.send(club, id);
  }

  /** Stops a blast mid-send (or before it): what is still queued never goes out. */
  @Post('blasts/:id/cancel')
  @HttpCode(200)
  @ApiOkResponse({ type: BlastResponse })
  @ApiConflictResponse({ description: 'The blast already finished' })
  cancel(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
  ): Promise<BlastResponse> {
    return this.sending.cancel(club, id);
  }

  @Post('blasts/:id/retry-failed')
  @HttpCode(200)
  @ApiOkResponse({ type: BlastResponse })
  retryFailed(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
  ): Promise<BlastResponse> {
    return this.sending.retryFailed(club, id);
  }

  /** To whom a blast went and what became of each message (`?status=failed`, …). */
  @Get('blasts/:id/messages')
  messages(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
    @Query() query: ListBlastMessagesQuery,
  ): Promise<Page<BlastMessageResponse>> {
    return this.views.messages(club, id, query);
  }

  @Get('blasts/:id/messages/:parentId/html')
  @ApiProduces('text/html')
  async messageHtml(
    @CurrentClub() club: ClubContext,
    // parentId first: Nest checks the last parameter first, and a bad blast id is named `id`.
    @Param('parentId', IdPipe) parentId: number,
    @Param('id', IdPipe) id: number,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const html = await this.views.messageHtml(club, id, parentId);
    // Set only on success: an error keeps the filter's JSON body and type.
    res.type('html');
    return html;
  }

  /** The club's one click: the outstanding-balance statement to every family that owes. */
  @Post('outstanding-balance')
  @HttpCode(200)
  @ApiOkResponse({ type: OneClickBlastResponse })
  outstandingBalance(
    @CurrentClub() club: ClubContext,
    @Query() query: OutstandingBalanceBlastQuery,
  ): Promise<OneClickBlastResponse> {
    return this.sending.outstandingBalance(club, {
      testEmail: query.test_email,
      dryRun: query.dry_run,
    });
  }
}
