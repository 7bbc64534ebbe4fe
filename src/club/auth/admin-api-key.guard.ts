import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainException } from '../../common/errors/domain.exception';
import { AdminApiKeysService } from './admin-api-keys.service';
import { bearerKey } from './api-key';
import { ClubContext } from './club-context';

/** Every /admin route: the key decides the club, and an unknown or revoked key learns nothing. */
@Injectable()
export class AdminApiKeyGuard implements CanActivate {
  constructor(private readonly keys: AdminApiKeysService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request & { club?: ClubContext }>();
    const key = bearerKey(request.headers.authorization);
    const club = key && (await this.keys.authenticate(key));
    if (!club) throw new DomainException('unauthorized', 'A valid admin API key is required');
    request.club = club;
    return true;
  }
}
