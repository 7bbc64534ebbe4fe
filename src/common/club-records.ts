import { EntityManager, EntityTarget, FindOptionsWhere, MoreThan, ObjectLiteral } from 'typeorm';
import { DomainException } from './errors/domain.exception';
import { DEFAULT_PAGE_SIZE, PageQuery } from './http/page';

export interface ClubRow extends ObjectLiteral {
  id: number;
  tenantId: number;
}

/**
 * Reads of one club's rows by id and by page. Every lookup carries the tenant, so another
 * club's id is simply "not found".
 */
export class ClubRecords<T extends ClubRow> {
  constructor(
    readonly target: EntityTarget<T>,
    private readonly label: string,
  ) {}

  async find(
    manager: EntityManager,
    tenantId: number,
    id: number,
    options: { lock?: boolean } = {},
  ): Promise<T> {
    const row = await manager.findOne(this.target, {
      where: { id, tenantId } as FindOptionsWhere<T>,
      lock: options.lock ? { mode: 'pessimistic_write' } : undefined,
    });
    if (!row) throw DomainException.notFound(this.label, id);
    return row;
  }

  /** One page in id order, fetched with one extra row so the caller knows whether more follow. */
  async page(
    manager: EntityManager,
    tenantId: number,
    query: PageQuery,
    filters: FindOptionsWhere<T> = {},
  ): Promise<{ rows: T[]; limit: number }> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const rows = await manager.find(this.target, {
      where: {
        ...definedOnly(filters),
        tenantId,
        ...(query.starting_after ? { id: MoreThan(query.starting_after) } : {}),
      } as FindOptionsWhere<T>,
      order: { id: 'ASC' } as never,
      take: limit + 1,
    });
    return { rows, limit };
  }

  async remove(manager: EntityManager, tenantId: number, id: number): Promise<void> {
    const result = await manager.delete(this.target, { id, tenantId } as FindOptionsWhere<T>);
    if (!result.affected) throw DomainException.notFound(this.label, id);
  }
}

/** PATCH and filter semantics: a field left out is ignored; null is a value. */
export function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(values).filter(([, value]) => value !== undefined),
  ) as Partial<T>;
}

/** The fields a PATCH sets; a PATCH that sets nothing is a mistake worth telling the client about. */
export function changesOf<T extends object>(values: T): Partial<T> {
  const changes = definedOnly(values);
  if (Object.keys(changes).length === 0) {
    throw new DomainException(
      'validation_failed',
      'Nothing to change: send a JSON body with at least one field',
    );
  }
  return changes;
}
