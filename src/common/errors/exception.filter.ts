import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainException, ErrorCode } from './domain.exception';
import { fromPostgresError } from './postgres-errors';

const STATUS_OF: Record<ErrorCode, number> = {
  validation_failed: HttpStatus.BAD_REQUEST,
  unauthorized: HttpStatus.UNAUTHORIZED,
  not_found: HttpStatus.NOT_FOUND,
  conflict: HttpStatus.CONFLICT,
  invalid_state: HttpStatus.CONFLICT,
  payload_too_large: HttpStatus.PAYLOAD_TOO_LARGE,
  rate_limited: HttpStatus.TOO_MANY_REQUESTS,
  payment_provider_rejected: HttpStatus.BAD_GATEWAY,
  payment_provider_unavailable: HttpStatus.SERVICE_UNAVAILABLE,
};

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
  request_id?: string;
}

/** The one place errors become responses. Unexpected errors never leak their internals. */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { id?: string }>();
    const response = http.getResponse<Response>();
    const body = this.toBody(exception, String(request.id ?? ''));
    if (body.statusCode >= 500) {
      this.logger.error({ err: exception, request_id: body.request_id }, 'Unhandled error');
    }
    this.send(response, body);
  }

  protected send(response: Response, body: ErrorBody): void {
    response.status(body.statusCode).json(body);
  }

  protected toBody(exception: unknown, requestId: string): ErrorBody {
    const domain =
      exception instanceof DomainException
        ? exception
        : (fromPostgresError(exception) ?? fromBodyParser(exception));
    if (domain) {
      return {
        statusCode: STATUS_OF[domain.code],
        error: domain.code,
        message: domain.message,
        details: domain.details,
      };
    }
    // The health check's "not ready" (the database does not answer): a probe acts on the 503.
    if (exception instanceof HttpException && exception.getStatus() === 503) {
      return {
        statusCode: HttpStatus.SERVICE_UNAVAILABLE,
        error: 'service_unavailable',
        message: 'Not ready: the database does not answer; try again shortly',
      };
    }
    if (exception instanceof HttpException && exception.getStatus() < 500) {
      const status = exception.getStatus();
      // Nest's own 400s (e.g. unreadable JSON) are bad input like any other.
      const error = status === 400 ? 'validation_failed' : errorName(status);
      return { statusCode: status, error, message: exception.message };
    }
    return {
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      error: 'internal_error',
      message: 'Something went wrong on our side; quote the request id when reporting it',
      request_id: requestId,
    };
  }
}

/** Express body parsing fails before any route runs: malformed JSON, too large, bad charset. */
function fromBodyParser(exception: unknown): DomainException | undefined {
  const type = (exception as { type?: unknown } | null)?.type;
  if (type === 'entity.parse.failed')
    return new DomainException('validation_failed', 'The request body is not valid JSON');
  if (type === 'entity.too.large')
    return new DomainException('payload_too_large', 'The request body is too large');
  if (
    (typeof type === 'string' && type.startsWith('encoding.')) ||
    type === 'charset.unsupported'
  ) {
    return new DomainException('validation_failed', 'The request body encoding is not supported');
  }
  // Any other body the parser could not read (a gzip body that is not gzip, a short body...).
  const { status, expose } = (exception ?? {}) as { status?: unknown; expose?: unknown };
  if (status === 400 && expose === true)
    return new DomainException('validation_failed', 'The request body could not be read');
  return undefined;
}

function errorName(status: number): string {
  return (HttpStatus[status] ?? 'error').toLowerCase();
}
