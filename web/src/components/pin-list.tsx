import type { FeedPin } from '../api/types.js';
import type { PagedList } from '../api/use-pages.js';
import type { Surface } from '../events/batcher.js';
import { ErrorMessage } from './error-message.js';
import { MasonryGrid } from './masonry-grid.js';

/** An endless list of pins: the masonry grid and, below it, its status. */
export function PinList(props: { list: PagedList<FeedPin>; surface: Surface; label: string; empty: string }) {
  const { list } = props;
  return (
    <>
      <MasonryGrid
        pins={list.items}
        surface={props.surface}
        label={props.label}
        hasMore={list.hasMore}
        loading={list.loading}
        onEnd={list.loadMore}
      />
      <ListStatus list={list} empty={props.empty} />
    </>
  );
}

/** Below a list: loading, an error with a retry, the end, or a button for more. */
function ListStatus(props: { list: PagedList<FeedPin>; empty: string }) {
  const { list } = props;
  let status = '';
  if (list.loading) status = 'Loading Pins…';
  else if (!list.error && !list.hasMore) status = list.items.length ? "You're all caught up." : props.empty;
  return (
    <div class="list-status">
      <p class="muted" role="status" aria-live="polite">
        {status}
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
