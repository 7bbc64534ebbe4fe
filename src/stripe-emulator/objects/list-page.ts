import { param, expandParam } from '../params/param-spec';
import { apiErrors, paramErrors } from '../stripe-api-error';
import type { ApiList } from './api-objects';

/** The paging parameters every list endpoint takes. */
export const listParams = {
  limit: param.integer({ min: 1, max: 100 }),
  starting_after: param.string(),
  ending_before: param.string(),
  expand: expandParam,
} as const;

export interface PageRequest {
  limit?: number | null;
  starting_after?: string | null;
  ending_before?: string | null;
}

/**
 * One page of a list, newest first, like Stripe: `starting_after` walks towards older objects,
 * `ending_before` towards newer ones (the page stays newest first); `has_more` says whether more
 * lie beyond the page in the direction of travel.
 */
export function listPage<T extends { id: string }>(
  newestFirst: readonly T[],
  matches: (item: T) => boolean,
  page: PageRequest,
  url: string,
  kind: string,
): ApiList<T> {
  if (page.starting_after && page.ending_before) {
    throw paramErrors.exclusive(['starting_after', 'ending_before']);
  }
  const limit = page.limit ?? 10;
  const cursorIndex = (id: string, param: string) => {
    const index = newestFirst.findIndex((item) => item.id === id);
    if (index < 0) throw apiErrors.resourceMissing(kind, id, param);
    return index;
  };

  if (page.ending_before) {
    const end = cursorIndex(page.ending_before, 'ending_before');
    const newer = newestFirst.slice(0, end).filter(matches);
    const data = newer.slice(Math.max(0, newer.length - limit));
    return { object: 'list', data, has_more: newer.length > data.length, url };
  }
  const start = page.starting_after ? cursorIndex(page.starting_after, 'starting_after') + 1 : 0;
  const older = newestFirst.slice(start).filter(matches);
  return { object: 'list', data: older.slice(0, limit), has_more: older.length > limit, url };
}

export function newestFirst<T>(values: Iterable<T>): T[] {
  return [...values].reverse();
}
