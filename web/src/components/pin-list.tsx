import type { FeedPin } from '../api/types.js';
import type { PagedList } from '../api/use-pages.js';
import type { Surface } from '../events/batcher.js';
import { ErrorMessage } from './error-message.js';
import { MasonryGrid } from './masonry-grid.js';

/** An endless list of pins: the masonry grid and, below it, its status. */
export function PinList(props: { list: PagedList<FeedPin>; surface: Surface; label: string; empty: string }) {
  const { list } = props;
  const fetchingMore = list.loading && list.items.length > 0;
  return (
    <div class="pin-list">
      <MasonryGrid
        pins={list.items}
        surface={props.surface}
        label={props.label}
        hasMore={list.hasMore}
        loading={list.loading}
        onEnd={list.loadMore}
      />
      {/* Stuck to the bottom of the window while more pins load: it does not move as the grid grows
          under it (no layout shift), where a line below the grid would jump down. */}
      {fetchingMore && (
        <p class="list-loading" aria-hidden="true">
          Loading Pins…
        </p>
      )}
      <ListStatus list={list} empty={props.empty} />
    </div>
  );
}

/**
 * Below a list: the end, or an error with a retry; while more may come, nothing that takes room (the grid
 * grows under it, and whatever stood there would jump down): the words for screen readers and, for the
 * keyboard, a "Show more Pins" button that appears when focused.
 */
function ListStatus(props: { list: PagedList<FeedPin>; empty: string }) {
  const { list } = props;
  const pending = list.hasMore && !list.error && list.items.length > 0;
  let status = '';
  if (list.loading) status = 'Loading Pins…';
  else if (!list.error && !list.hasMore) status = list.items.length ? "You're all caught up." : props.empty;
  return (
    <div class={pending ? 'list-status pending' : 'list-status'}>
      <p class={pending ? 'visually-hidden' : 'muted'} role="status" aria-live="polite">
        {status}
      </p>
      {list.error ? <ErrorMessage error={list.error} onRetry={list.retry} /> : null}
      {list.hasMore && !list.loading && list.items.length > 0 && (
        <button
          type="button"
          class={pending ? 'btn visually-hidden-focusable' : 'btn'}
          onClick={list.loadMore}
        >
          Show more Pins
        </button>
      )}
    </div>
  );
}
