import { registerAs } from '@nestjs/config';
import { IsIn, IsInt, IsOptional, IsString, IsUrl, Max, Min } from 'class-validator';
import { parseEnvironment } from './environment';
import { stripeModeOf } from './stripe.config';
import { TrustProxySetting, trustProxyOf } from './trust-proxy';

export class AppEnvironment {
  @IsOptional() @IsInt() @Min(0) @Max(65535) PORT?: number;
  @IsOptional() @IsString() HOST?: string;
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] })
  PUBLIC_BASE_URL?: string;
  @IsOptional()
  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL?: string;
  @IsOptional() @IsString() LOG_FILE?: string;
  @IsOptional() @IsString() DATA_DIR?: string;
  @IsOptional() @IsInt() @Min(1) PUBLIC_RATE_LIMIT_PER_MINUTE?: number;
  /** Which proxies in front may name the client in X-Forwarded-For (express's `trust proxy`). */
  @IsOptional() @TrustProxySetting() TRUST_PROXY?: string;
  @IsOptional() @IsInt() @Min(100) SHUTDOWN_GRACE_MS?: number;
  /** `off`: this instance creates no cron schedule (the month tick, reminders); it still works jobs. */
  @IsOptional() @IsIn(['on', 'off']) SCHEDULED_JOBS?: string;
  /** `off`: this instance serves HTTP only and takes no jobs (others work the shared queue). */
  @IsOptional() @IsIn(['on', 'off']) JOB_WORKERS?: string;
}

export const appConfig = registerAs('app', () => {
  const env = parseEnvironment(process.env, AppEnvironment);
  const port = env.PORT ?? 3000;
  return {
    port,
    // With the emulator anyone who reaches the port could pay with a forged event: loopback only.
    host: env.HOST ?? (stripeModeOf(process.env) === 'emulator' ? '127.0.0.1' : '0.0.0.0'),
    publicBaseUrl: (env.PUBLIC_BASE_URL ?? `http://localhost:${port}`).replace(/\/$/, ''),
    logLevel: env.LOG_LEVEL ?? 'info',
    /** When set, logs go to this file instead of stdout (tests read it back). */
    logFile: env.LOG_FILE,
    dataDir: env.DATA_DIR ?? '.data',
    publicRateLimitPerMinute: env.PUBLIC_RATE_LIMIT_PER_MINUTE ?? 120,
    /** Off by default: a client could otherwise dodge the rate limit with a forged header. */
    trustProxy: trustProxyOf(env.TRUST_PROXY) ?? false,
    shutdownGraceMs: env.SHUTDOWN_GRACE_MS ?? 10_000,
    scheduledJobs: (env.SCHEDULED_JOBS ?? 'on') === 'on',
    jobWorkers: (env.JOB_WORKERS ?? 'on') === 'on',
  };
});
export type AppConfig = ReturnType<typeof appConfig>;
