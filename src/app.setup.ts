import type { IncomingMessage, ServerResponse } from 'node:http';
import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { securityHeaders } from './common/http/security-headers';
import { requestIdOf } from './common/logging';
import { appConfig, type AppConfig } from './config';
import { STRIPE_WEBHOOK_ROUTE } from './webhooks/controllers/stripe-webhooks.controller';

/** HTTP wiring shared by `npm start` and the test app, so tests exercise the real body parsing. */
export function configureHttp(app: NestExpressApplication): INestApplication {
  app.useLogger(app.get(Logger));
  // req.ip, which the public rate limit counts by, comes from X-Forwarded-For only through these proxies.
  app.set('trust proxy', app.get<AppConfig>(appConfig.KEY).trustProxy);
  // Plain Express middleware, mounted before Swagger's routes so that /docs gets them too
  // (Nest's own middleware, the request logger among them, only runs for Nest's routes).
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    requestIdOf(req, res);
    next();
  });
  app.use(securityHeaders());
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
