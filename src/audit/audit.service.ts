import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ClubContext } from '../club/auth/club-context';
import { preparedQuery } from '../database/prepared-query';

/** Records who changed what. Called inside the writer's transaction so the record and the change land together. */
@Injectable()
export class AuditService {
  async record(
    manager: EntityManager,
    club: Pick<ClubContext, 'tenantId' | 'actor'>,
    action: string,
    subject: string,
    data: Record<string, unknown> = {},
  ): Promise<void> {
    await preparedQuery(
      manager,
      'INSERT INTO audit_log (tenant_id, actor, action, subject, data) VALUES ($1, $2, $3, $4, $5)',
      [club.tenantId, club.actor, action, subject, JSON.stringify(data)],
    );
  }
}
