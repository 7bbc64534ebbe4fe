import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Repository } from 'typeorm';
import { DomainException } from '../../common/errors/domain.exception';
import { AdminApiKey } from '../entities/admin-api-key.entity';
import { Tenant } from '../entities/tenant.entity';
import { ClubContext } from './club-context';
import { generateApiKey, hashApiKey } from './api-key';

@Injectable()
export class AdminApiKeysService {
  constructor(
    @InjectRepository(AdminApiKey) private readonly keys: Repository<AdminApiKey>,
    @InjectRepository(Tenant) private readonly tenants: Repository<Tenant>,
  ) {}

  /** Returns the plain key; it exists nowhere else afterwards. */
  async create(
    tenantSlug: string,
    name: string,
  ): Promise<{ key: string; prefix: string; tenantId: number }> {
    const tenant = await this.tenants.findOneBy({ slug: tenantSlug });
    if (!tenant) throw DomainException.notFound('Club', tenantSlug);
    const { key, hash, prefix } = generateApiKey();
    await this.keys.insert({ tenantId: tenant.id, name, keyHash: hash, keyPrefix: prefix });
    return { key, prefix, tenantId: tenant.id };
  }

  async revoke(prefix: string): Promise<number> {
    const result = await this.keys.update(
      { keyPrefix: prefix, revokedAt: IsNull() },
      { revokedAt: new Date() },
    );
    return result.affected ?? 0;
  }

  /** Every key of the club (or of every club), revoked ones too; never the key itself. */
  async list(tenantSlug?: string): Promise<
    {
      club: string;
      prefix: string;
      name: string;
      created_at: Date;
      last_used_at: Date | null;
      revoked_at: Date | null;
    }[]
  > {
    if (tenantSlug !== undefined && !(await this.tenants.existsBy({ slug: tenantSlug })))
      throw DomainException.notFound('Club', tenantSlug);
    return this.keys.query(
      `SELECT t.slug AS club, k.key_prefix AS prefix, k.name, k.created_at, k.last_used_at, k.revoked_at
       FROM admin_api_keys k JOIN tenants t ON t.id = k.tenant_id
       WHERE $1::text IS NULL OR t.slug = $1
       ORDER BY t.slug, k.created_at, k.id`,
      [tenantSlug ?? null],
    );
  }

  async authenticate(key: string): Promise<ClubContext | undefined> {
    const rows = (await this.keys.query(
      // last_used_at is refreshed at most once a minute, so reads do not turn into writes.
      `WITH found AS (
         SELECT id, tenant_id, key_prefix, last_used_at FROM admin_api_keys
         WHERE key_hash = $1 AND revoked_at IS NULL
       ), touched AS (
         UPDATE admin_api_keys k SET last_used_at = now() FROM found
         WHERE k.id = found.id AND (found.last_used_at IS NULL OR found.last_used_at < now() - interval '1 minute')
       )
       SELECT tenant_id, key_prefix FROM found`,
      [hashApiKey(key)],
    )) as { tenant_id: number; key_prefix: string }[];
    const row = rows[0];
    return row && { tenantId: row.tenant_id, actor: `api-key:${row.key_prefix}` };
  }
}
