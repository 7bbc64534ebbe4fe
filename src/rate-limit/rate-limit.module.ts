import { Module } from '@nestjs/common';
import { PublicRateLimitStorage } from './public-rate-limit.storage';
import { PublicRateLimitsRepository } from './public-rate-limits.repository';

/** The public rate limit's shared counters (the throttler's storage). */
@Module({
  providers: [PublicRateLimitsRepository, PublicRateLimitStorage],
  exports: [PublicRateLimitStorage],
})
export class RateLimitModule {}
