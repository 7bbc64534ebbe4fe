import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { AuditService } from '../../audit/audit.service';
import { changesOf } from '../../common/club-records';
import { DomainException } from '../../common/errors/domain.exception';
import { localNow } from '../../common/month/billing-month';
import { isSingleLineText, trimSpaces } from '../../common/text/single-line-text';
import { AdminApiKeysService } from '../auth/admin-api-keys.service';
import { ClubContext } from '../auth/club-context';
import { ClubResponse, UpdateClubDto } from '../dtos/club.dto';
import { Tenant } from '../entities/tenant.entity';

/** The club itself (the tenant): its profile and brand, and onboarding a new club. */
@Injectable()
export class ClubsService {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly keys: AdminApiKeysService,
  ) {}

  async get(club: ClubContext): Promise<ClubResponse> {
    return ClubResponse.of(
      await this.db.getRepository(Tenant).findOneByOrFail({ id: club.tenantId }),
    );
  }

  async update(club: ClubContext, dto: UpdateClubDto): Promise<ClubResponse> {
    return this.db.transaction(async (manager) => {
      const tenant = await manager.findOneOrFail(Tenant, {
        where: { id: club.tenantId },
        lock: { mode: 'pessimistic_write' },
      });
      Object.assign(
        tenant,
        changesOf({
          name: dto.name,
          fromName: dto.from_name,
          brandPrimaryColor: dto.brand_primary_color,
          brandAccentColor: dto.brand_accent_color,
          logoUrl: dto.logo_url,
          replyTo: dto.reply_to,
          timezone: dto.timezone,
          billingDay: dto.billing_day,
          billingHourLocal: dto.billing_hour_local,
          autopayEnabled: dto.autopay_enabled,
          reminderDays: dto.reminder_days,
          quietHoursStart: dto.quiet_hours?.slice(0, 5),
          quietHoursEnd: dto.quiet_hours?.slice(6),
          autoSendStatements: dto.auto_send_statements,
        }),
      );
      await manager.save(tenant);
      await this.audit.record(manager, club, 'club.updated', `club:${club.tenantId}`, { ...dto });
      return ClubResponse.of(tenant);
    });
  }

  /** The club's calendar date now (`YYYY-MM-DD`), in its own timezone. */
  async localToday(manager: EntityManager, tenantId: number): Promise<string> {
    const { timezone } = await manager.findOneOrFail(Tenant, {
      where: { id: tenantId },
      select: { id: true, timezone: true },
    });
    return localNow(new Date(), timezone).date;
  }

  /**
   * The clubs an operator command acts for: the one named by its slug, or every club. The
   * audit log records `actor` (e.g. `cli:reconcile`) for what the command writes.
   */
  async forOperator(
    slug: string | undefined,
    actor: string,
  ): Promise<(ClubContext & { slug: string })[]> {
    const tenants = await this.db
      .getRepository(Tenant)
      .find({ where: slug === undefined ? {} : { slug }, order: { id: 'ASC' } });
    if (slug !== undefined && tenants.length === 0) throw DomainException.notFound('Club', slug);
    return tenants.map((tenant) => ({
      tenantId: tenant.id,
      actor,
      slug: tenant.slug,
    }));
  }

  /** Onboards a club and returns its first admin key (shown once). */
  async create(slug: string, name: string): Promise<{ club: ClubResponse; apiKey: string }> {
    if (!/^[a-z0-9][a-z0-9-]{1,62}$/.test(slug)) {
      throw new DomainException(
        'validation_failed',
        'The slug must be 2–63 lower-case letters, digits or dashes',
      );
    }
    name = trimSpaces(name);
    // The name becomes the From: name of every mail of the club.
    if (name === '' || name.length > 200 || !isSingleLineText(name)) {
      throw new DomainException(
        'validation_failed',
        'The name must be 1–200 characters on one line, with no control characters',
      );
    }
    const tenants = this.db.getRepository(Tenant);
    const { id } = await tenants.save({ slug, name, fromName: name });
    // Read back: the columns the database defaults (reminder_days, quiet hours…) are not returned.
    const tenant = await tenants.findOneByOrFail({ id });
    const { key } = await this.keys.create(slug, 'first admin');
    return { club: ClubResponse.of(tenant), apiKey: key };
  }
}
