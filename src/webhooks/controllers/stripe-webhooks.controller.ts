import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBadRequestResponse, ApiTags } from '@nestjs/swagger';
import type { RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import { SkipThrottle } from '@nestjs/throttler';
import { StripeEventsService } from '../services/stripe-events.service';

/** The route below; its body is read as raw bytes whatever its content type (app.setup.ts). */
export const STRIPE_WEBHOOK_ROUTE = '/webhooks/stripe';

/**
 * Stripe's deliveries. Not rate-limited like other public routes: Stripe sends bursts and
 * retries what we refuse, and a bad signature is turned away before any work.
 */
@ApiTags('webhooks')
@Controller('webhooks')
@SkipThrottle()
export class StripeWebhooksController {
  constructor(private readonly events: StripeEventsService) {}

  @Post('stripe')
  @HttpCode(200)
  @ApiBadRequestResponse({ description: 'The Stripe-Signature does not match the raw body' })
  async receive(
    @Req() req: RawBodyRequest<Request>,
    @Headers('stripe-signature') signature?: string,
  ): Promise<{ received: true; outcome: string }> {
    const decision = await this.events.receive(req.rawBody, signature);
    return { received: true, outcome: decision.outcome };
  }
}
