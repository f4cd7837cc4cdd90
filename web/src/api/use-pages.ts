import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Page } from './types.js';

export interface PagedList<T> {
  items: T[];
  loading: boolean;
  error: unknown;
  hasMore: boolean;
  /** Asks for the next page (once at a time; nothing after the last). */
  loadMore: () => void;
  /** Asks again for the page that failed. */
  retry: () => void;
}

/**
 * An endless list read page by page through the API's bookmarks. `key` names the list: a new key starts
 * over. Items already held are never re-ordered, only appended to.
 */
export function usePages<T extends { id: string }>(
  key: string,
  fetchPage: (bookmark: string | null) => Promise<Page<T>>,
): PagedList<T> {
  const [items, setItems] = useState<T[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [hasMore, setHasMore] = useState(true);
  const state = useRef({ key, bookmark: null as string | null, busy: false, seen: new Set<string>() });
  const fetcher = useRef(fetchPage);
  fetcher.current = fetchPage;

  const load = useCallback(() => {
    const s = state.current;
    if (s.busy) return;
    s.busy = true;
    setLoading(true);
    setError(null);
    fetcher.current(s.bookmark).then(
      (page) => {
        // A page asked for before the list started over (a new key, or the first effect replacing
        // the state a child's early loadMore used) is dropped: its items would come twice.
        if (state.current !== s) return;
        s.busy = false;
        s.bookmark = page.bookmark;
        const fresh = page.items.filter((i) => !s.seen.has(i.id));
        for (const i of fresh) s.seen.add(i.id);
        setItems((old) => [...old, ...fresh]);
        setHasMore(Boolean(page.bookmark) && page.items.length > 0);
        setLoading(false);
      },
      (err: unknown) => {
        if (state.current !== s) return;
        s.busy = false;
        setError(err);
        setLoading(false);
      },
    );
  }, []);

  useEffect(() => {
    state.current = { key, bookmark: null, busy: false, seen: new Set() };
    setItems([]);
    setHasMore(true);
    setError(null);
    load();
  }, [key, load]);

  const loadMore = useCallback(() => {
    if (!error) load();
  }, [error, load]);

  return { items, loading, error, hasMore: hasMore && !error, loadMore, retry: load };
}
