import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';

type EnvClass = new () => object;

/** Validates the environment against one class and returns readable problems. */
export function environmentProblems(env: NodeJS.ProcessEnv, schema: EnvClass): string[] {
  const parsed = plainToInstance(schema, env, { enableImplicitConversion: true });
  return validateSync(parsed, { skipMissingProperties: false }).flatMap(describe);
}

export function parseEnvironment<T extends object>(env: NodeJS.ProcessEnv, schema: new () => T): T {
  return plainToInstance(schema, env, { enableImplicitConversion: true });
}

function describe(error: ValidationError): string[] {
  const own = Object.values(error.constraints ?? {}).map(
    (message) => `${error.property}: ${message}`,
  );
  return own.concat((error.children ?? []).flatMap(describe));
}
