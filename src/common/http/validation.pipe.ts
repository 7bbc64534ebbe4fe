import { ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainException, FieldProblem } from '../errors/domain.exception';

/** DTOs are strict: unknown fields, wrong types and out-of-range values are a 400 with field errors. */
export function strictValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) =>
      new DomainException(
        'validation_failed',
        'The request has invalid fields',
        fieldProblems(errors),
      ),
  });
}

export function fieldProblems(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return own.concat(fieldProblems(error.children ?? [], field));
  });
}
