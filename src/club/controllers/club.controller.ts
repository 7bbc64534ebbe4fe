import { Body, Get, Patch } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { AdminController } from '../auth/admin-controller.decorator';
import { type ClubContext, CurrentClub } from '../auth/club-context';
import { ClubResponse, UpdateClubDto } from '../dtos/club.dto';
import { ClubsService } from '../services/clubs.service';

/** The key's own club: its name and the brand its statements carry. */
@AdminController('club', 'club')
export class ClubController {
  constructor(private readonly clubs: ClubsService) {}

  @Get()
  @ApiOkResponse({ type: ClubResponse })
  get(@CurrentClub() club: ClubContext): Promise<ClubResponse> {
    return this.clubs.get(club);
  }

  @Patch()
  @ApiOkResponse({ type: ClubResponse })
  update(@CurrentClub() club: ClubContext, @Body() dto: UpdateClubDto): Promise<ClubResponse> {
    return this.clubs.update(club, dto);
  }
}
