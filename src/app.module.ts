import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { ThrottlerGuard, ThrottlerModule } from '@nestjs/throttler';
import { LoggerModule } from 'nestjs-pino';
import { AllExceptionsFilter } from './common/errors/exception.filter';
import { loggerParams } from './common/logging';
import { strictValidationPipe } from './common/http/validation.pipe';
import { appConfig, AppConfig } from './config';
import { CoreModule, CoreOptions } from './core.module';
import { HealthModule } from './health/health.module';
import { PublicRateLimitStorage } from './rate-limit/public-rate-limit.storage';
import { RateLimitModule } from './rate-limit/rate-limit.module';

@Module({})
export class AppModule {
  static register(options: Omit<CoreOptions, 'runWorkers'>): DynamicModule {
    return {
      module: AppModule,
      imports: [
        // Read as the app is built: JOB_WORKERS=off makes a web-only instance.
        CoreModule.register({ ...options, runWorkers: appConfig().jobWorkers }),
        LoggerModule.forRootAsync({ inject: [appConfig.KEY], useFactory: loggerParams }),
        // Public routes only; /admin controllers opt out. Counted in PostgreSQL, so the limit holds
        // across instances; per client by req.ip (see TRUST_PROXY), IPv6 by /64 (the default tracker).
        ThrottlerModule.forRootAsync({
          imports: [RateLimitModule],
          inject: [appConfig.KEY, PublicRateLimitStorage],
          useFactory: (app: AppConfig, storage: PublicRateLimitStorage) => ({
            throttlers: [{ ttl: 60_000, limit: app.publicRateLimitPerMinute }],
            storage,
            // One allowance per client for all public routes together, not one per route.
            generateKey: (_context, client, throttler) => `${throttler}:${client}`,
            errorMessage: 'Too many requests; try again in a minute',
          }),
        }),
        HealthModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
        { provide: APP_PIPE, useFactory: strictValidationPipe },
        { provide: APP_GUARD, useClass: ThrottlerGuard },
      ],
    };
  }
}
