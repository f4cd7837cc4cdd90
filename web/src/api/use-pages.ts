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
        // An answer for a list started over since (another key, or the same key again) is dropped.
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
    // On mount the list may have asked for its first page already (a grid's effects run before its
    // parent's, and ask for more when it is empty): it is not asked for twice, nor started over.
    if (state.current.key !== key) {
      state.current = { key, bookmark: null, busy: false, seen: new Set() };
      setItems([]);
      setHasMore(true);
      setError(null);
    }
    load();
  }, [key, load]);

  const loadMore = useCallback(() => {
    if (!error) load();
  }, [error, load]);

  return { items, loading, error, hasMore: hasMore && !error, loadMore, retry: load };
}
