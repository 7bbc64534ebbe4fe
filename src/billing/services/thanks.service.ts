import { Injectable } from '@nestjs/common';
import { isOrderPaid, PROCESSING } from '../../orders/order-status';
import { ThanksRepository } from '../repositories/thanks.repository';

const SESSION = /^cs_[A-Za-z0-9_]{1,250}$/;

/**
 * The thank-you page after Stripe: confirms the item paid, or that a bank payment is on its
 * way, naming only the item; a session we do not know (yet) gets a general thank-you.
 */
@Injectable()
export class ThanksService {
  constructor(private readonly repository: ThanksRepository) {}

  async pageFor(
    sessionId: string | undefined,
  ): Promise<{ title: string; message: string; clubName?: string }> {
    const found =
      sessionId && SESSION.test(sessionId)
        ? await this.repository.sessionItem(sessionId)
        : undefined;
    if (found && PROCESSING.includes(found.status)) {
      return {
        title: 'Payment on its way',
        message: `Your bank payment for ${found.item} is being processed; the club will see it when it clears.`,
        clubName: found.club,
      };
    }
    if (found && isOrderPaid(found.status)) {
      return {
        title: 'Thank you!',
        message: `Your payment for ${found.item} was received.`,
        clubName: found.club,
      };
    }
    return {
      title: 'Thank you!',
      message:
        "Your payment was received. The club's records update within a moment; you can close this page.",
    };
  }
}
