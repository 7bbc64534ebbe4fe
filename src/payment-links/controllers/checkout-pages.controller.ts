import { Controller, Get, Header } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';

/** Where Stripe sends a family after paying: a plain thank-you; the webhook records the payment. */
@ApiTags('checkout')
@Controller('checkout')
export class CheckoutPagesController {
  @Get('thanks')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  thanks(): string {
    return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Thank you</title></head>
<body style="font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;text-align:center">
<h1>Thank you!</h1><p>Your payment was received. The club's records update within a moment, and you can close this page.</p></body></html>`;
  }
}
