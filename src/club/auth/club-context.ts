import { createParamDecorator, ExecutionContext } from '@nestjs/common';

/** Who is acting: fixed by the admin API key, never by anything the client sends. */
export interface ClubContext {
  tenantId: number;
  /** For the audit log: `api-key:<prefix>` or `cli`. */
  actor: string;
}

export const CurrentClub = createParamDecorator(
  (_: unknown, context: ExecutionContext): ClubContext => {
    const club = context.switchToHttp().getRequest<{ club?: ClubContext }>().club;
    if (!club) throw new Error('CurrentClub used on a route without AdminApiKeyGuard');
    return club;
  },
);
