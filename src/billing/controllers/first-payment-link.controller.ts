import { HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse } from '@nestjs/swagger';
import { AdminController } from '../../club/auth/admin-controller.decorator';
import { type ClubContext, CurrentClub } from '../../club/auth/club-context';
import { IdPipe } from '../../common/http/id.pipe';
import { FirstPaymentLinkResponse } from '../dtos/first-payment.dto';
import { FirstPaymentService } from '../services/first-payment.service';

@AdminController('players', 'players')
export class FirstPaymentLinkController {
  constructor(private readonly firstPayment: FirstPaymentService) {}

  /** The public URL a family opens to pay the player's first month (it re-checks the contract at every click). */
  @Post(':id/first-payment-link')
  @HttpCode(200)
  @ApiOkResponse({ type: FirstPaymentLinkResponse })
  link(
    @CurrentClub() club: ClubContext,
    @Param('id', IdPipe) id: number,
  ): Promise<FirstPaymentLinkResponse> {
    return this.firstPayment.linkFor(club, id);
  }
}
