import { DataSource, DeepPartial, EntityManager, FindOptionsWhere } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import { ClubContext } from '../club/auth/club-context';
import { changesOf, ClubRecords, ClubRow } from './club-records';
import { Page, PageQuery, toPage } from './http/page';

/**
 * The admin CRUD every club record shares: reads scoped to the key's club, writes in one
 * transaction with their audit entry. Subclasses say how a DTO becomes a row.
 */
export abstract class ClubCrudService<Row extends ClubRow, Response> {
  protected constructor(
    protected readonly db: DataSource,
    protected readonly audit: AuditService,
    protected readonly records: ClubRecords<Row>,
    private readonly subject: string,
    private readonly present: (row: Row) => Response,
  ) {}

  async get(club: ClubContext, id: number): Promise<Response> {
    return this.present(await this.records.find(this.db.manager, club.tenantId, id));
  }

  async remove(club: ClubContext, id: number): Promise<void> {
    await this.db.transaction(async (manager) => {
      await this.records.remove(manager, club.tenantId, id);
      await this.audit.record(manager, club, `${this.subject}.deleted`, `${this.subject}:${id}`);
    });
  }

  protected async listWhere(
    club: ClubContext,
    query: PageQuery,
    filters: FindOptionsWhere<Row> = {},
  ): Promise<Page<Response>> {
    const { rows, limit } = await this.records.page(this.db.manager, club.tenantId, query, filters);
    return toPage(rows, limit, this.present);
  }

  /** In its own transaction, or inside the caller's (`within`) as part of a larger decision. */
  protected async insert(
    club: ClubContext,
    values: (manager: EntityManager) => Promise<DeepPartial<Row>> | DeepPartial<Row>,
    change: object,
    within: EntityManager = this.db.manager,
  ): Promise<Response> {
    return within.transaction(async (manager) => {
      const row = await manager.save(
        manager.create(this.records.target, {
          ...(await values(manager)),
          tenantId: club.tenantId,
        }),
      );
      await this.audit.record(
        manager,
        club,
        `${this.subject}.created`,
        `${this.subject}:${row.id}`,
        { ...change },
      );
      return this.present(row);
    });
  }

  /** Locks the row, lets `values` check it and say what changes, then saves. */
  protected async patch(
    club: ClubContext,
    id: number,
    values: (row: Row, manager: EntityManager) => Promise<Partial<Row>> | Partial<Row>,
    change: object,
  ): Promise<Response> {
    return this.db.transaction(async (manager) => {
      const row = await this.records.find(manager, club.tenantId, id, { lock: true });
      Object.assign(row, changesOf(await values(row, manager)));
      await manager.save(row);
      await this.audit.record(manager, club, `${this.subject}.updated`, `${this.subject}:${id}`, {
        ...change,
      });
      return this.present(row);
    });
  }
}
