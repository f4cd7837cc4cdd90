import { useCallback } from 'preact/hooks';
import { api, query } from '../api/client.js';
import type { FeedPin, Page } from '../api/types.js';
import { usePages } from '../api/use-pages.js';
import { ErrorMessage } from '../components/error-message.js';
import { MasonryGrid } from '../components/masonry-grid.js';

const PAGE_SIZE = 50;

/** The home feed: an endless masonry of pins through the feed's bookmarks. */
export function HomePage() {
  const fetchPage = useCallback(
    (bookmark: string | null) =>
      api<Page<FeedPin>>(`/v5/feeds/home${query({ page_size: PAGE_SIZE, bookmark })}`),
    [],
  );
  const feed = usePages('home', fetchPage);
  return (
    <main class="page" id="main">
      <h1 class="visually-hidden">Home feed</h1>
      <MasonryGrid
        pins={feed.items}
        surface="HOME_FEED"
        label="Pins for you"
        hasMore={feed.hasMore}
        loading={feed.loading}
        onEnd={feed.loadMore}
      />
      <ListStatus list={feed} empty="Nothing here yet. Follow people and boards, or save a few Pins." />
    </main>
  );
}

/** Below a list: loading, an error with a retry, the end, or a button for more. */
export function ListStatus(props: {
  list: {
    items: unknown[];
    loading: boolean;
    error: unknown;
    hasMore: boolean;
    loadMore: () => void;
    retry: () => void;
  };
  empty: string;
}) {
  const { list } = props;
  return (
    <div class="list-status">
      <p class="muted" role="status" aria-live="polite">
        {list.loading
          ? 'Loading Pins…'
          : !list.error && !list.hasMore
            ? list.items.length
              ? "You're all caught up."
              : props.empty
            : ''}
      </p>
      {list.error ? <ErrorMessage error={list.error} onRetry={list.retry} /> : null}
      {list.hasMore && !list.loading && list.items.length > 0 && (
        <button type="button" class="btn" onClick={list.loadMore}>
          Show more Pins
        </button>
      )}
    </div>
  );
}
