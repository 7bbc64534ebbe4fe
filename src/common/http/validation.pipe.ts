import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainException, FieldProblem } from '../errors/domain.exception';

/** No DTO nests anywhere near this deep; deeper input would overflow the stack of the validator. */
const MAX_INPUT_DEPTH = 32;

/** DTOs are strict: unknown fields, wrong types and out-of-range values are a 400 with field errors. */
export function strictValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
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

class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'custom') {
      const problems = unstorableValues(value, metadata.data);
      if (problems.length > 0)
        throw new DomainException('validation_failed', 'The request has invalid fields', problems);
    }
    return super.transform(value, metadata);
  }

  /**
   * A number in the path or query converts from plain decimal only: `0x1`, `1e0` or ` 1` stay
   * text, for the param's own pipe (IdPipe) to refuse instead of reading them as 1.
   */
  protected override transformPrimitive(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.metatype === Number && typeof value === 'string' && !/^-?\d+$/.test(value))
      return value;
    return super.transformPrimitive(value, metadata);
  }
}

/**
 * Input PostgreSQL cannot store (NUL characters) or the validator cannot walk (deep nesting),
 * found without recursion so that the check itself cannot overflow.
 */
function unstorableValues(input: unknown, name = ''): FieldProblem[] {
  const problems = new Map<string, string>();
  const pending: { value: unknown; path: string; depth: number }[] = [
    { value: input, path: name, depth: 0 },
  ];
  while (pending.length > 0 && problems.size < 20) {
    const { value, path, depth } = pending.pop()!;
    if (typeof value === 'string') {
      const field = path || 'body';
      if (value.includes('\u0000')) problems.set(field, `${field} must not contain NUL characters`);
    } else if (typeof value === 'object' && value !== null) {
      if (depth >= MAX_INPUT_DEPTH) {
        const field = path.split('.')[0] || 'body';
        problems.set(field, `${field} is nested too deeply`);
        continue;
      }
      for (const [key, child] of Object.entries(value))
        pending.push({ value: child, path: path ? `${path}.${key}` : key, depth: depth + 1 });
    }
  }
  return [...problems].map(([field, problem]) => ({ field, problems: [problem] }));
}

export function fieldProblems(errors: ValidationError[], prefix = ''): FieldProblem[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, problems: Object.values(error.constraints) }] : [];
    return own.concat(fieldProblems(error.children ?? [], field));
  });
}
