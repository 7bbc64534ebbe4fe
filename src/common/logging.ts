import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import pino from 'pino';
import type { Params } from 'nestjs-pino';
import { AppConfig } from '../config';

/** Query parameters that carry a secret (first-payment tokens and the like). */
const SECRET_QUERY = /([?&](?:token|key|secret|api_key|password)=)[^&]*/gi;

export function withoutSecrets(url: string | undefined): string | undefined {
  return url?.replace(SECRET_QUERY, '$1[REDACTED]');
}

/**
 * The request's id: the caller's own `X-Request-Id` when it is well formed, else a new UUID;
 * echoed in the response. Kept on `req.id`, where pino-http and the error filter find it.
 */
export function requestIdOf(req: IncomingMessage & { id?: unknown }, res: ServerResponse): string {
  if (typeof req.id === 'string') return req.id;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && /^[\w-]{8,64}$/.test(given) ? given : randomUUID();
  res.setHeader('X-Request-Id', id);
  req.id = id;
  return id;
}

/** Structured request logs with every header and parameter that could hold a secret removed. */
export function loggerParams(app: AppConfig): Params {
  return {
    pinoHttp: [
      {
        level: app.logLevel,
        genReqId: requestIdOf,
        // Request headers are never logged (see the req serializer); these catch secrets in logged objects.
        redact: {
          paths: [
            'res.headers["set-cookie"]',
            '*.authorization',
            '*.apiKey',
            '*.secretKey',
            '*.token',
            '*.password',
          ],
          censor: '[REDACTED]',
        },
        serializers: {
          req: (req: { id: string; method: string; url: string }) => ({
            id: req.id,
            method: req.method,
            url: withoutSecrets(req.url),
          }),
        },
        customLogLevel: (_req: IncomingMessage, res: ServerResponse, error?: Error) =>
          error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
      },
      app.logFile
        ? pino.destination({ dest: app.logFile, sync: true, mkdir: true })
        : pino.destination(1),
    ],
  };
}
