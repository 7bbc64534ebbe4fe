import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

const MAX_ID = 2_147_483_647;

/**
 * An integer query parameter: plain decimal digits only (`0x1`, `1e0`, ` 1` stay text and
 * fail as "must be an integer").
 */
export const QueryInt = (min: number, max: number, description?: string) =>
  applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: min, maximum: max, description }),
    IsOptional(),
    Transform(({ value }: { value: unknown }) =>
      typeof value === 'string' && /^-?\d{1,12}$/.test(value) ? Number(value) : value,
    ),
    IsInt(),
    Min(min),
    Max(max),
  );

/** Filters a list by the id of a related record. */
export const IdFilter = (description?: string) => QueryInt(1, MAX_ID, description);

export class PageQuery {
  @QueryInt(1, 100, 'Page size, 25 by default') limit?: number;

  @QueryInt(0, MAX_ID, 'Return items after this id') starting_after?: number;
}

export interface Page<T> {
  data: T[];
  has_more: boolean;
}

export const DEFAULT_PAGE_SIZE = 25;

/** Rows fetched with one extra row tell whether there is another page. */
export function toPage<Row, Item>(
  rows: Row[],
  limit: number,
  present: (row: Row) => Item,
): Page<Item> {
  return { data: rows.slice(0, limit).map(present), has_more: rows.length > limit };
}
