import type { Bookmarks } from '../../platform/bookmarks.js';
import type { EntityFilter } from './campaigns/campaigns.repository.js';

/** The query every list of campaigns, ad groups or ads takes besides its id filters. */
export interface EntityPageQuery {
  entity_statuses?: readonly string[];
  order?: 'ASCENDING' | 'DESCENDING';
  bookmark?: string;
  page_size?: number;
}

/**
 * One page of an account's campaigns, ad groups or ads: the statuses asked (ACTIVE and PAUSED by
 * default), the id filters given, by id in either order, after the bookmark. The bookmark is bound to
 * the list and its filters, so one taken from another list or filter is refused.
 */
export async function entityPage<R extends { id: string }, F extends Record<string, string[] | undefined>, I>(
  bookmarks: Bookmarks,
  list: { kind: string; accountId: string; query: EntityPageQuery; filters: F },
  load: (filter: EntityFilter & F) => Promise<R[]>,
  present: (row: R) => I,
) {
  const { kind, accountId, query: q, filters } = list;
  const statuses = q.entity_statuses ?? ['ACTIVE', 'PAUSED'];
  const descending = q.order === 'DESCENDING';
  const narrowed = Object.values(filters)
    .map((ids) => ids?.join(',') ?? '')
    .join(':');
  const scope = `${kind}:${accountId}:${descending}:${statuses.join(',')}:${narrowed}`;
  const after = q.bookmark ? String(bookmarks.decode(scope, q.bookmark)[0]) : undefined;
  const pageSize = q.page_size ?? 25;
  const rows = await load({ ...filters, statuses, descending, after, limit: pageSize + 1 });
  return bookmarks.page(scope, rows, pageSize, (last) => [last.id], present);
}
