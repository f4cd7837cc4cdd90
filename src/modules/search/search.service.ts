import { type Bookmarks, type Cursor, DEFAULT_PAGE_SIZE } from '../../platform/bookmarks.js';
import type { Db } from '../../platform/db/database.js';
import { Invalid } from '../../platform/errors.js';
import type { Principal } from '../../platform/principal.js';
import { writtenPage } from '../pins/index.js';
import type { ProductServices } from '../product-services.js';
import { type Hit, type HitCursor, searchRepository as repo } from './search.repository.js';
import { searchText } from './search-text.js';

export interface SearchInput {
  query: string;
  page_size?: number;
  bookmark?: string;
}

/** The request a search answers, for the SEARCH event. */
export interface SearchContext {
  requestId?: string;
}

/**
 * Full-text search of the viewer's own pins and boards. The SQL finds and orders ids; the pins and boards
 * modules turn them into responses (and apply their own visibility rules once more).
 */
export class SearchService {
  constructor(
    private readonly db: Db,
    private readonly bookmarks: Bookmarks,
    private readonly product: Pick<ProductServices, 'pins' | 'boards' | 'events'>,
  ) {}

  /** The viewer's pins whose title, description or alt text match, best match first. */
  async pins(viewer: Principal, input: SearchInput, context: SearchContext = {}): Promise<Buffer> {
    const secret = viewer.scopes.has('pins:read_secret') && viewer.scopes.has('boards:read_secret');
    const page = await this.search('pins', viewer, secret, input, (q) => repo.pins(this.db, q));
    await this.recordSearch(viewer, input, context);
    const { json } = await this.product.pins.list(viewer, page.ids, {
      requestId: context.requestId ?? '',
      surface: 'SEARCH',
    });
    return writtenPage(json, page.bookmark);
  }

  /** The viewer's boards whose name or description match, best match first. */
  async boards(viewer: Principal, input: SearchInput, context: SearchContext = {}) {
    const secret = viewer.scopes.has('boards:read_secret');
    const page = await this.search('boards', viewer, secret, input, (q) => repo.boards(this.db, q));
    await this.recordSearch(viewer, input, context);
    return { items: await this.product.boards.byIds(viewer, page.ids), bookmark: page.bookmark };
  }

  /** The viewer's boards, newest first, for a board search without a query (the spec allows that). */
  async allBoards(viewer: Principal, pageSize = DEFAULT_PAGE_SIZE, bookmark?: string) {
    return this.product.boards.list(viewer, undefined, pageSize, bookmark);
  }

  /** A SEARCH event for the first page of a query; following pages are the same search. */
  private async recordSearch(viewer: Principal, input: SearchInput, context: SearchContext): Promise<void> {
    if (input.bookmark) return;
    await this.product.events.recordNow([
      {
        kind: 'SEARCH',
        userId: viewer.userId,
        appId: viewer.appId,
        query: input.query,
        surface: 'SEARCH',
        requestId: context.requestId ?? null,
      },
    ]);
  }

  private async search(
    kind: 'pins' | 'boards',
    viewer: Principal,
    secret: boolean,
    input: SearchInput,
    find: (q: Parameters<typeof repo.pins>[1]) => Promise<Hit[]>,
  ) {
    const text = searchText(input.query);
    const pageSize = input.page_size ?? DEFAULT_PAGE_SIZE;
    // Bound to the list and the exact query: a bookmark from another query or user is a 400.
    const scope = `search:${kind}:${viewer.userId}:${secret ? 'all' : 'public'}:${text}`;
    const after = input.bookmark ? hitCursor(this.bookmarks.decode(scope, input.bookmark)) : undefined;
    const rows = await find({ ownerId: viewer.userId, text, secret, after, limit: pageSize + 1 });
    const page = this.bookmarks.page(scope, rows, pageSize, (h) => [h.rank, h.created_us, h.id]);
    return { ids: page.items.map((h) => h.id), bookmark: page.bookmark };
  }
}

/** A signed cursor is ours, but check its shape anyway before it reaches SQL. */
function hitCursor(cursor: Cursor): HitCursor {
  const [rank, createdUs, id] = cursor;
  if (
    cursor.length !== 3 ||
    typeof rank !== 'number' ||
    !Number.isFinite(rank) ||
    typeof createdUs !== 'string' ||
    !/^-?\d{1,19}$/.test(createdUs) ||
    typeof id !== 'string' ||
    !/^\d{1,19}$/.test(id)
  ) {
    throw new Invalid('Invalid bookmark: pass the bookmark value from a previous page unchanged.');
  }
  return [rank, createdUs, id];
}
