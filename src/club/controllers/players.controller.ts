import { Body, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import type { Page } from '../../common/http/page';
import { IdPipe } from '../../common/http/id.pipe';
import { AdminController } from '../auth/admin-controller.decorator';
import { type ClubContext, CurrentClub } from '../auth/club-context';
import {
  CreatePlayerDto,
  ListPlayersQuery,
  PlayerResponse,
  UpdatePlayerDto,
} from '../dtos/player.dto';
import { PlayersService } from '../services/players.service';

@AdminController('players', 'players')
export class PlayersController {
  constructor(private readonly players: PlayersService) {}

  @Get()
  list(
    @CurrentClub() club: ClubContext,
    @Query() query: ListPlayersQuery,
  ): Promise<Page<PlayerResponse>> {
    return this.players.list(club, query);
  }

  @Post()
  @ApiOkResponse({ type: PlayerResponse })
  create(@CurrentClub() club: ClubContext, @Body() dto: CreatePlayerDto): Promise<PlayerResponse> {
    return this.players.create(club, dto);
  }

  @Get(':id')
  @ApiOkResponse({ type: PlayerResponse })
  get(@CurrentClub() club: ClubContext, @Param('id', IdPipe) id: number): Promise<PlayerResponse> {
    return this.players.get(club, id);
  }

  @Patch(':id')
  @ApiOkResponse({ type: PlayerResponse })
  update(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
    @Body() dto: UpdatePlayerDto,
  ): Promise<PlayerResponse> {
    return this.players.update(club, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentClub() club: ClubContext, @Param('id', IdPipe) id: number): Promise<void> {
    return this.players.remove(club, id);
  }
}
