import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { IncomingMessage } from 'node:http';
import { Logger } from 'nestjs-pino';
import { STRIPE_WEBHOOK_ROUTE } from './webhooks/controllers/stripe-webhooks.controller';

/** HTTP wiring shared by `npm start` and the test app, so tests exercise the real body parsing. */
export function configureHttp(app: NestExpressApplication): INestApplication {
  app.useLogger(app.get(Logger));
  // Stripe signs the bytes it sends: its route gets them as they came, whatever they hold or
  // claim to be (the JSON parser would refuse some signed bodies before the route could keep them).
  app.useBodyParser('raw', { type: isStripeDelivery, limit: '256kb' });
  app.useBodyParser('json', { limit: '256kb' });
  app.useBodyParser('text', { type: 'text/csv', limit: '2mb' });
  app.disable('x-powered-by');
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Courtside')
      .setDescription(
        'Billing backend for youth sports clubs. Admin routes need `Authorization: Bearer <admin api key>`.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  return app;
}

const isStripeDelivery = (req: IncomingMessage): boolean =>
  req.url?.split('?')[0] === STRIPE_WEBHOOK_ROUTE;
