import { applyDecorators, Controller, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiTags, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { SkipThrottle } from '@nestjs/throttler';
import { AdminApiKeyGuard } from './admin-api-key.guard';

/** An /admin controller: key required, club fixed by the key, not rate-limited like public routes. */
export const AdminController = (path: string, tag: string) =>
  applyDecorators(
    Controller(`admin/${path}`),
    ApiTags(tag),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'Missing, wrong or revoked admin API key' }),
    UseGuards(AdminApiKeyGuard),
    SkipThrottle(),
  );
