import { useCallback } from 'preact/hooks';
import { api, query } from '../api/client.js';
import type { FeedPin, Page } from '../api/types.js';
import { usePages } from '../api/use-pages.js';
import { PinList } from '../components/pin-list.js';

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
      <PinList
        list={feed}
        surface="HOME_FEED"
        label="Pins for you"
        empty="Nothing here yet. Follow people and boards, or save a few Pins."
      />
    </main>
  );
}
