import { Body, Delete, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse } from '@nestjs/swagger';
import type { Response } from 'express';
import { AdminController } from '../../club/auth/admin-controller.decorator';
import { type ClubContext, CurrentClub } from '../../club/auth/club-context';
import { IdPipe } from '../../common/http/id.pipe';
import { type Page, PageQuery } from '../../common/http/page';
import { TournamentBillingResponse } from '../dtos/tournament-billing.dto';
import {
  CommitmentDto,
  CommitmentResponse,
  CreateTournamentDto,
  TournamentCheckoutLinksResponse,
  TournamentResponse,
  TournamentTeamDto,
  TournamentTeamResponse,
  UpdateTournamentDto,
} from '../dtos/tournament.dto';
import { TournamentBillingService } from '../services/tournament-billing.service';
import { TournamentCheckoutService } from '../services/tournament-checkout.service';
import { TournamentsService } from '../services/tournaments.service';

@AdminController('tournaments', 'tournaments')
export class TournamentsController {
  constructor(
    private readonly tournaments: TournamentsService,
    private readonly checkout: TournamentCheckoutService,
    private readonly billing: TournamentBillingService,
  ) {}

  @Get()
  list(
    @CurrentClub() club: ClubContext,
    @Query() query: PageQuery,
  ): Promise<Page<TournamentResponse>> {
    return this.tournaments.list(club, query);
  }

  @Post()
  @ApiOkResponse({ type: TournamentResponse })
  create(
    @CurrentClub() club: ClubContext,
    @Body() dto: CreateTournamentDto,
  ): Promise<TournamentResponse> {
    return this.tournaments.create(club, dto);
  }

  @Get(':id/teams')
  @ApiOkResponse({ type: [TournamentTeamResponse] })
  teams(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
  ): Promise<TournamentTeamResponse[]> {
    return this.tournaments.listTeams(club, id);
  }

  @Post(':id/teams')
  @HttpCode(200)
  @ApiOkResponse({ type: TournamentTeamResponse })
  putTeam(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
    @Body() dto: TournamentTeamDto,
  ): Promise<TournamentTeamResponse> {
    return this.tournaments.putTeam(club, id, dto);
  }

  @Delete(':id/teams/:teamId')
  @HttpCode(204)
  removeTeam(
    @CurrentClub() club: ClubContext,
    // Nest checks parameters last to first: listed this way, a bad tournament id is reported first.
    @Param('teamId', IdPipe) teamId: number,
    @Param('id', IdPipe) id: number,
  ): Promise<void> {
    return this.tournaments.removeTeam(club, id, teamId);
  }

  @Get(':id/commitments')
  @ApiOkResponse({ type: [CommitmentResponse] })
  commitments(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
  ): Promise<CommitmentResponse[]> {
    return this.tournaments.listCommitments(club, id);
  }

  @Post(':id/commitments')
  @HttpCode(200)
  @ApiOkResponse({ type: CommitmentResponse })
  commit(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
    @Body() dto: CommitmentDto,
  ): Promise<CommitmentResponse> {
    return this.tournaments.commit(club, id, dto);
  }

  @Post(':id/checkout-links')
  @ApiCreatedResponse({
    type: TournamentCheckoutLinksResponse,
    description: 'Orders or links were made (201), or every one already existed (200)',
  })
  async checkoutLinks(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
    @Res({ passthrough: true }) res: Response,
  ): Promise<TournamentCheckoutLinksResponse> {
    const run = await this.checkout.checkoutLinks(club, id);
    res.status(run.data.some((item) => item.created) ? 201 : 200);
    return run;
  }

  @Get(':id/billing')
  @ApiOkResponse({ type: TournamentBillingResponse })
  billingReport(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
  ): Promise<TournamentBillingResponse> {
    return this.billing.report(club, id);
  }

  // Declared last so the tournament itself is documented (and deleted by route sweeps) after its parts.
  @Get(':id')
  @ApiOkResponse({ type: TournamentResponse })
  get(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
  ): Promise<TournamentResponse> {
    return this.tournaments.get(club, id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: TournamentResponse })
  update(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
    @Body() dto: UpdateTournamentDto,
  ): Promise<TournamentResponse> {
    return this.tournaments.update(club, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentClub() club: ClubContext, @Param('id', IdPipe) id: number): Promise<void> {
    return this.tournaments.remove(club, id);
  }
}
