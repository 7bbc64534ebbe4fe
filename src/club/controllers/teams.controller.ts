import { Body, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { type Page, PageQuery } from '../../common/http/page';
import { IdPipe } from '../../common/http/id.pipe';
import { AdminController } from '../auth/admin-controller.decorator';
import { type ClubContext, CurrentClub } from '../auth/club-context';
import { CreateTeamDto, TeamResponse, UpdateTeamDto } from '../dtos/team.dto';
import { TeamsService } from '../services/teams.service';

@AdminController('teams', 'teams')
export class TeamsController {
  constructor(private readonly teams: TeamsService) {}

  @Get()
  list(@CurrentClub() club: ClubContext, @Query() query: PageQuery): Promise<Page<TeamResponse>> {
    return this.teams.list(club, query);
  }

  @Post()
  @ApiOkResponse({ type: TeamResponse })
  create(@CurrentClub() club: ClubContext, @Body() dto: CreateTeamDto): Promise<TeamResponse> {
    return this.teams.create(club, dto);
  }

  @Get(':id')
  @ApiOkResponse({ type: TeamResponse })
  get(@CurrentClub() club: ClubContext, @Param('id', IdPipe) id: number): Promise<TeamResponse> {
    return this.teams.get(club, id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: TeamResponse })
  update(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
    @Body() dto: UpdateTeamDto,
  ): Promise<TeamResponse> {
    return this.teams.update(club, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentClub() club: ClubContext, @Param('id', IdPipe) id: number): Promise<void> {
    return this.teams.remove(club, id);
  }
}
