import { Body, HttpCode, Post } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse } from '@nestjs/swagger';
import { DomainException } from '../../common/errors/domain.exception';
import { AdminController } from '../auth/admin-controller.decorator';
import { type ClubContext, CurrentClub } from '../auth/club-context';
import { ROSTER_COLUMNS, RosterImportReport } from '../dtos/roster.dto';
import { RosterImportService } from '../services/roster-import.service';

@AdminController('roster', 'roster')
export class RosterController {
  constructor(private readonly roster: RosterImportService) {}

  @Post('import')
  @HttpCode(200)
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', example: `${ROSTER_COLUMNS.join(',')}\n` } })
  @ApiOkResponse({ type: RosterImportReport })
  import(@CurrentClub() club: ClubContext, @Body() csv: unknown): Promise<RosterImportReport> {
    if (typeof csv !== 'string' || csv.trim() === '') {
      throw new DomainException(
        'validation_failed',
        'Send the roster as a text/csv body with a header row',
      );
    }
    return this.roster.import(club, csv);
  }
}
