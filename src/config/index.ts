import { AppEnvironment, appConfig } from './app.config';
import { DatabaseEnvironment, databaseConfig } from './database.config';
import { environmentProblems } from './environment';
import { MailEnvironment, mailConfig } from './mail.config';
import { StripeEnvironment, stripeConfig, stripeModeProblems } from './stripe.config';

export * from './app.config';
export * from './database.config';
export * from './mail.config';
export * from './stripe.config';

export const configLoaders = [appConfig, databaseConfig, stripeConfig, mailConfig];

export class InvalidConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Checks every area at once so start-up lists all that is wrong, not just the first thing. */
export function validateEnvironment(env: Record<string, unknown>): Record<string, unknown> {
  const areas = [AppEnvironment, DatabaseEnvironment, StripeEnvironment, MailEnvironment];
  const problems = areas
    .flatMap((schema) => environmentProblems(env as NodeJS.ProcessEnv, schema))
    .concat(stripeModeProblems(env as NodeJS.ProcessEnv));
  if (problems.length > 0) throw new InvalidConfigurationError(problems);
  return env;
}

/** The start-up path's check, before Nest exists: throws InvalidConfigurationError listing every problem. */
export function checkProcessEnvironment(): void {
  validateEnvironment(process.env);
}
