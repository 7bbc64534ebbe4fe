import type { IncomingMessage, ServerResponse } from 'node:http';
import { INestApplication } from '@nestjs/common';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { securityHeaders } from './common/http/security-headers';
import { requestIdOf } from './common/logging';

/** HTTP wiring shared by `npm start` and the test app, so tests exercise the real body parsing. */
export function configureHttp(app: NestExpressApplication): INestApplication {
  app.useLogger(app.get(Logger));
  // Plain Express middleware, mounted before Swagger's routes so that /docs gets them too
  // (Nest's own middleware, the request logger among them, only runs for Nest's routes).
  app.use((req: IncomingMessage, res: ServerResponse, next: () => void) => {
    requestIdOf(req, res);
    next();
  });
  app.use(securityHeaders());
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
