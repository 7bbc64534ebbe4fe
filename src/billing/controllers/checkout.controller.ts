import { Controller, Get, Query, Res, UseFilters } from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { checkoutPage } from '../checkout-pages';
import { CheckoutErrorPageFilter } from './checkout-error-page.filter';
import { FirstPaymentOutcome, FirstPaymentService } from '../services/first-payment.service';
import { ThanksService } from '../services/thanks.service';

const EXPLAINED: Record<
  Exclude<FirstPaymentOutcome['kind'], 'pay'>,
  { title: string; message: string }
> = {
  unknown: {
    title: 'This link does not work',
    message: 'Please use the latest email from your club, or ask the club for a new link.',
  },
  not_signed: {
    title: 'Not ready for payment yet',
    message:
      "The player's contract is not signed. Once the club has it, this link will take you to payment.",
  },
  not_set_up: {
    title: 'Not ready for payment yet',
    message: 'The club has not set the monthly fee for this player yet. Please contact the club.',
  },
  paid: { title: 'Already paid', message: 'The first month is already paid. Thank you!' },
  processing: {
    title: 'Payment in progress',
    message: 'Your bank payment is being processed; there is nothing more to do.',
  },
};

/** Public pages a parent reaches from an email or from Stripe: no key, rate limited, nothing about anyone else. */
@ApiTags('checkout')
@Controller('checkout')
@UseFilters(CheckoutErrorPageFilter)
export class CheckoutController {
  constructor(
    private readonly firstPayment: FirstPaymentService,
    private readonly thanks: ThanksService,
  ) {}

  @Get('first-payment')
  @ApiFoundResponse({ description: '303 to the pay page, or a page explaining why not' })
  async firstPaymentClick(
    @Query('token') token: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    const outcome = await this.firstPayment.click(typeof token === 'string' ? token : undefined);
    res.setHeader('Cache-Control', 'no-store');
    if (outcome.kind === 'pay') return res.redirect(303, outcome.url);
    res
      .status(outcome.kind === 'unknown' ? 404 : 200)
      .type('html')
      .send(checkoutPage({ ...EXPLAINED[outcome.kind], clubName: outcome.clubName }));
  }

  @Get('thanks')
  @ApiOkResponse({ description: 'Where Stripe sends a family after paying' })
  async thanksPage(
    @Query('session_id') sessionId: string | undefined,
    @Res() res: Response,
  ): Promise<void> {
    res.setHeader('Cache-Control', 'no-store');
    res
      .type('html')
      .send(
        checkoutPage(
          await this.thanks.pageFor(typeof sessionId === 'string' ? sessionId : undefined),
        ),
      );
  }
}
