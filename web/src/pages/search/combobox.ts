import { SEARCH_TYPES, type SearchType } from '../../api/search.js';

/**
 * The option a combobox's arrow keys move to among `count` options: -1 is none (the text box itself).
 * Down from none goes to the first, up from none to the last; both wrap around.
 */
export function moveActive(active: number, count: number, key: 'ArrowDown' | 'ArrowUp'): number {
  if (count <= 0) return -1;
  if (key === 'ArrowDown') return active < 0 || active >= count - 1 ? 0 : active + 1;
  return active <= 0 ? count - 1 : active - 1;
}

/** A search page's address, read: the term, the tab, and whether the term is to be searched as typed. */
export interface SearchParams {
  q: string;
  type: SearchType;
  exact: boolean;
}

export function readSearchParams(search: string): SearchParams {
  const params = new URLSearchParams(search);
  const type = params.get('type') as SearchType | null;
  return {
    q: (params.get('q') ?? '').trim(),
    type: type && SEARCH_TYPES.includes(type) ? type : 'pins',
    exact: params.get('exact') === '1',
  };
}

/** The term as the API will search it (lower case, spaces collapsed), to compare with a correction. */
export function normalTerm(term: string): string {
  return term.trim().toLowerCase().replace(/\s+/g, ' ');
}

/** The longest a search term may be (the API refuses longer). */
export const MAX_TERM = 100;
