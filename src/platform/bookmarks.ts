import { createHmac, timingSafeEqual } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import { Invalid } from './errors.js';

/** How many items a page holds when the caller does not say (the spec's default page_size). */
export const DEFAULT_PAGE_SIZE = 25;

export type Cursor = readonly (string | number | boolean | null)[];

/**
 * Signs and checks the opaque `bookmark` cursors. A bookmark is bound to one list (its scope), so one
 * taken from another list, edited, truncated or made up is rejected with a 400.
 */
export class Bookmarks {
  /** Signatures made lately: the same page's bookmark is handed out and sent back again and again. */
  private readonly signed = new LRUCache<string, string>({ max: 10_000 });

  constructor(private readonly secret: Buffer) {}

  encode(scope: string, cursor: Cursor): string {
    const body = Buffer.from(JSON.stringify(cursor)).toString('base64url');
    return `${body}.${this.sign(scope, body, true)}`;
  }

  decode(scope: string, bookmark: string): Cursor {
    const dot = bookmark.indexOf('.');
    const body = bookmark.slice(0, dot);
    const mac = bookmark.slice(dot + 1);
    if (dot <= 0 || !/^[A-Za-z0-9_-]+$/.test(body) || !/^[A-Za-z0-9_-]+$/.test(mac)) throw invalid();
    const expected = Buffer.from(this.sign(scope, body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) throw invalid();
    try {
      const cursor: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
      if (Array.isArray(cursor)) return cursor as Cursor;
    } catch {
      // fall through
    }
    throw invalid();
  }

  /**
   * Builds a page from `rows` fetched with limit `pageSize + 1`: the extra row only says another page
   * exists, and the bookmark points after the last row returned.
   */
  page<T, I = T>(
    scope: string,
    rows: T[],
    pageSize: number,
    cursorOf: (last: T) => Cursor,
    map: (row: T) => I = (row) => row as unknown as I,
  ): { items: I[]; bookmark: string | null } {
    const hasMore = rows.length > pageSize;
    const shown = hasMore ? rows.slice(0, pageSize) : rows;
    const last = shown[shown.length - 1];
    return {
      items: shown.map(map),
      bookmark: hasMore && last !== undefined ? this.encode(scope, cursorOf(last)) : null,
    };
  }

  /** The signature of a body; those this node issued are remembered (what callers send is not). */
  private sign(scope: string, body: string, issuing = false): string {
    const key = `${scope}\0${body}`;
    let mac = this.signed.get(key);
    if (mac === undefined) {
      mac = this.mac(scope, body);
      if (issuing) this.signed.set(key, mac);
    }
    return mac;
  }

  private mac(scope: string, body: string): string {
    return createHmac('sha256', this.secret)
      .update(scope)
      .update('\0')
      .update(body)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
  }
}

function invalid(): Invalid {
  return new Invalid('Invalid bookmark: pass the bookmark value from a previous page unchanged.');
}
