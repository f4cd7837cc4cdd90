import type { Static } from 'typebox';
import type { Bookmarks } from '../../platform/bookmarks.js';
import type { Cache } from '../../platform/cache/cache.js';
import type { Config } from '../../platform/config.js';
import type { Db } from '../../platform/db/database.js';
import type { Privacy } from '../../platform/db/schema.js';
import { Forbidden, Invalid, NotFound } from '../../platform/errors.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { Principal } from '../../platform/principal.js';
import {
  authorizeBoard,
  type BoardsService,
  type CachedBoardAccess,
  DISCOVERY_EPOCH_KEY,
  isDiscoverable,
} from '../boards/index.js';
import { emit, type TopicConsumer } from '../topics.js';
import { fromBase64, fromPage, fromUrl, type IncomingImage } from './image-intake.js';
import type { ImagesService } from './images.service.js';
import { type PinImage, type PinRow, pinsRepository as repo } from './pins.repository.js';
import type { MediaSource, PinCreate, PinUpdate } from './pins.schemas.js';

type CachedPin = {
  pin: Omit<PinRow, 'board_privacy' | 'board_owner_id' | 'board_owner_username'>;
  images: PinImage[];
};

const PIN_TTL_MS = 10 * 60_000;

function core(row: PinRow, images: PinImage[]): CachedPin {
  const { board_privacy: _p, board_owner_id: _o, board_owner_username: _u, ...pin } = row;
  return { pin, images };
}

const pinKey = (id: string) => `pin:${id}`;

/** The newest ids of a board's (or section's) pins, cached for the first pages of its list. */
const listKey = (boardId: string, sectionId: string | null | undefined) =>
  `board-pin-ids:${boardId}:${sectionId ?? ''}`;
const LIST_HEAD = 200;
const LIST_TTL_MS = 10 * 60_000;
type CachedList = { ids: string[]; complete: boolean };

/** Whether one decimal id (no leading zeros) is below another, without BigInt. */
function idBelow(a: string, b: string): boolean {
  return a.length < b.length || (a.length === b.length && a < b);
}

type BoardMedia = { image_cover_url: string | null; pin_thumbnail_urls: string[] };

type Limits = Pick<Config, 'imageMaxBytes' | 'imageMaxPixels' | 'fetchTimeoutMs' | 'fetchAllowHosts'>;

/**
 * Who may see a pin: anyone, unless its board is secret; then only the board's owner, with the secret
 * scopes. Whoever may not know it exists gets NotFound.
 */
function authorizePin<P extends Pick<PinRow, 'owner_id' | 'board_privacy'>>(
  viewer: Principal,
  pin: P | undefined,
  action: 'read' | 'write',
): P {
  if (!pin) throw pinNotFound();
  const own = pin.owner_id === viewer.userId;
  if (pin.board_privacy === 'SECRET') {
    if (!own) throw pinNotFound();
    const scope = action === 'read' ? 'pins:read_secret' : 'pins:write_secret';
    if (!viewer.scopes.has(scope))
      throw new Forbidden(`Not authorized: this Pin is on a secret board and needs the scope ${scope}.`);
  }
  if (action === 'write' && !own) throw new Forbidden('Not authorized to access board or Pin.', 7);
  return pin;
}

/** authorizePin's read rule as a test, for lists that leave out what the viewer may not see. */
function mayReadPin(viewer: Principal, ownerId: string, privacy: Privacy): boolean {
  return privacy !== 'SECRET' || (ownerId === viewer.userId && viewer.scopes.has('pins:read_secret'));
}

function pinNotFound(): NotFound {
  return new NotFound('Pin not found.', 50);
}

/**
 * On a pin view made from a cached pin: the JSON of its fields other than `board_owner`, `is_owner`,
 * `pin_metrics` and `impression_token`, without the closing brace, worked out once per cached copy.
 */
export const PIN_JSON = Symbol('pin JSON');

/**
 * A pin view as JSON: the cached part as is, the rest added. The same text JSON.stringify gives (in
 * another field order) for views made from cached pins; others are stringified.
 */
export function pinJson(p: {
  [PIN_JSON]?: string;
  board_owner: { username: string };
  is_owner: boolean;
  pin_metrics?: unknown;
  impression_token?: string;
}): string {
  const cached = p[PIN_JSON];
  if (cached === undefined) return JSON.stringify(p);
  let out = `${cached},"board_owner":${JSON.stringify(p.board_owner)},"is_owner":${p.is_owner}`;
  if (p.pin_metrics !== undefined) out += `,"pin_metrics":${JSON.stringify(p.pin_metrics)}`;
  if (p.impression_token !== undefined) out += `,"impression_token":${JSON.stringify(p.impression_token)}`;
  return `${out}}`;
}

/** A page of pin views as JSON (see pinJson). */
export function pinPageJson(page: {
  items: Parameters<typeof pinJson>[0][];
  bookmark: string | null;
}): string {
  return `{"items":[${page.items.map(pinJson).join(',')}],"bookmark":${JSON.stringify(page.bookmark)}}`;
}

/**
 * A page of pins (or one pin) already written as JSON (see PinsService.boardPage and heldText), as bytes:
 * Node writes a Buffer as it is, where a string of the same 30 kB is measured and encoded again on the
 * way out.
 */
export const PAGE_JSON = Symbol('page JSON');
export type PinPageText = { readonly [PAGE_JSON]: Buffer };

/** The JSON of a page, whether written already or made of pin views. */
export function pageJson(page: PinPageText | Parameters<typeof pinPageJson>[0]): string | Buffer {
  return PAGE_JSON in page ? page[PAGE_JSON] : pinPageJson(page);
}

/** The `board_owner` member of a served pin and the start of its `is_owner` (see writeServed). */
function ownerBytes(board: { owner_username: string }): Buffer {
  return Buffer.from(`,"board_owner":${JSON.stringify({ username: board.owner_username })},"is_owner":`);
}

const PAGE_OPEN = Buffer.from('{"items":[');
const COMMA = Buffer.from(',');

/**
 * A paginated page (`{items, bookmark}`) of `count` items as bytes, item `i` appended to the parts by
 * `item(i, parts)`.
 */
function writePage(
  count: number,
  item: (i: number, parts: (Buffer | string)[]) => void,
  bookmark: string | null,
): Buffer {
  const parts: (Buffer | string)[] = [PAGE_OPEN];
  for (let i = 0; i < count; i++) {
    if (i > 0) parts.push(COMMA);
    item(i, parts);
  }
  parts.push(`],"bookmark":${JSON.stringify(bookmark)}}`);
  return joinBytes(parts);
}

/** A paginated page of pins already written as JSON (see PinsService.listedJson). */
export function writtenPage(pins: readonly Buffer[], bookmark: string | null): Buffer {
  return writePage(pins.length, (i, parts) => parts.push(pins[i]!), bookmark);
}

/**
 * Bytes and text (written as UTF-8) joined in one Buffer allocated once: a page's small parts (tokens,
 * closing braces) are not each made a Buffer first, and the page is copied once.
 */
export function joinBytes(parts: readonly (Buffer | string)[]): Buffer {
  let size = 0;
  for (const part of parts) size += typeof part === 'string' ? Buffer.byteLength(part) : part.length;
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const part of parts) at += typeof part === 'string' ? out.write(part, at) : part.copy(out, at);
  return out;
}

const TRUE = Buffer.from('true');
const FALSE = Buffer.from('false');

/** What other modules add to pins as they are served (set up by the product, see buildProduct). */
export interface PinServing {
  /** The impression tokens of the pins of a list served to `viewer` on `surface`, in order. */
  tokens(viewer: Principal, pinIds: string[], surface: ServedSurface, requestId: string): string[];
  /** `pin_metrics` of these pins (the caller checks they are the viewer's). */
  metrics(pinIds: string[]): Promise<Map<string, unknown>>;
  /** Records that the viewer saved a pin (a SAVE event), in the saving transaction. */
  saved(trx: Db, viewer: Principal, pinId: string, boardId: string): Promise<void>;
}
export type ServedSurface = 'HOME_FEED' | 'SEARCH' | 'RELATED' | 'BOARD' | 'PROFILE' | 'CLOSEUP';
type Served = { id: string; is_owner: boolean; pin_metrics?: unknown; impression_token?: string };

/** Pins: creation from every media source, reads with their images, edits, saves and deletes. */
export class PinsService {
  private serving: PinServing = {
    tokens: (_viewer, pinIds) => pinIds.map(() => ''),
    metrics: async () => new Map(),
    saved: async () => {},
  };
  private readonly shownAsBytes = new WeakMap<object, Buffer>();
  /** heldText()'s answers: per shown bytes, per board access, [not owner, owner]. */
  private readonly pinTexts = new WeakMap<
    Buffer,
    WeakMap<CachedBoardAccess, [PinPageText | undefined, PinPageText | undefined]>
  >();
  private readonly shown = new WeakMap<
    CachedPin,
    Omit<ReturnType<PinsService['view']>, 'board_owner' | 'is_owner'> & { [PIN_JSON]: string }
  >();
  constructor(
    private readonly db: Db,
    private readonly ids: IdGenerator,
    private readonly bookmarks: Bookmarks,
    private readonly cache: Cache,
    private readonly boards: BoardsService,
    private readonly images: ImagesService,
    private readonly limits: Limits,
  ) {}

  /** Lets the events and analytics modules add impression tokens, pin metrics and SAVE events. */
  useServing(serving: PinServing): void {
    this.serving = serving;
  }

  /**
   * Adds to pins about to be served what depends on the response: each pin of a list (`surface` given)
   * gets its impression token, and with `metrics` the viewer's own pins get `pin_metrics` (others' null).
   */
  async serve<T extends Served>(
    viewer: Principal,
    items: T[],
    how: { requestId: string; surface?: ServedSurface; metrics?: boolean },
  ): Promise<T[]> {
    if (how.metrics) {
      const own = items.filter((p) => p.is_owner).map((p) => p.id);
      const metrics = own.length > 0 ? await this.serving.metrics(own) : new Map<string, unknown>();
      for (const p of items) p.pin_metrics = metrics.get(p.id) ?? null;
    }
    if (how.surface && items.length > 0) {
      const tokens = this.serving.tokens(
        viewer,
        items.map((p) => p.id),
        how.surface,
        how.requestId,
      );
      items.forEach((p, i) => {
        p.impression_token = tokens[i];
      });
    }
    return items;
  }

  /** How a pin looks in responses. */
  view(viewer: Principal, pin: PinRow, images: PinImage[]) {
    const pending = images.some((i) => i.image.status === 'pending');
    const failed = images.some((i) => i.image.status === 'failed');
    const media =
      pin.media_type === 'multiple_images'
        ? {
            media_type: 'multiple_images',
            items: images.map((i) => ({
              item_type: 'image',
              images: this.images.sizes(i.image),
              title: i.title,
              description: i.description,
              link: i.link,
            })),
          }
        : { media_type: 'image', images: images[0] ? this.images.sizes(images[0].image) : {} };
    return {
      id: pin.id,
      created_at: new Date(pin.created_at).toISOString(),
      link: pin.link,
      title: pin.title,
      description: pin.description,
      alt_text: pin.alt_text,
      dominant_color: pin.dominant_color ?? images[0]?.image.dominant_color ?? null,
      board_id: pin.board_id,
      board_section_id: pin.section_id,
      board_owner: { username: pin.board_owner_username },
      parent_pin_id: pin.parent_pin_id,
      is_owner: pin.owner_id === viewer.userId,
      is_standard: true,
      has_been_promoted: false,
      creative_type: 'REGULAR',
      media: { ...media, ...(pending ? { status: 'pending' } : failed ? { status: 'failed' } : {}) },
    };
  }

  private async views(viewer: Principal, pins: PinRow[]) {
    const images = await repo.imagesOf(
      this.db,
      pins.map((p) => p.id),
    );
    return pins.map((p) => this.view(viewer, p, images.get(p.id) ?? []));
  }

  /**
   * The pins with these ids that the viewer may see, as responses, in the order given (for search and
   * feeds: a secret-board pin of someone else is silently left out). With `publicOnly` (discovery
   * surfaces such as related pins) only pins on discoverable boards are kept, for their owner too.
   */
  async byIds(viewer: Principal, ids: readonly string[], how: { publicOnly?: boolean } = {}) {
    const rows = await repo.byIds(this.db, ids);
    const visible = rows.filter((p) => {
      if (how.publicOnly) return isDiscoverable(p.board_privacy);
      if (p.board_privacy !== 'SECRET') return true;
      return p.owner_id === viewer.userId && viewer.scopes.has('pins:read_secret');
    });
    const byId = new Map((await this.views(viewer, visible)).map((v) => [v.id, v]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** Board covers: the newest pin's 400x300 image and the 150x150 thumbnails of the newest four. */
  async covers(boardIds: readonly string[]): Promise<Map<string, BoardMedia>> {
    const out = new Map<string, BoardMedia>();
    for (const row of await repo.latestImages(this.db, boardIds, 4)) {
      const sizes = this.images.sizes(row);
      const media = out.get(row.board_id) ?? {
        image_cover_url: sizes['400x300']?.url ?? null,
        pin_thumbnail_urls: [],
      };
      if (sizes['150x150']) media.pin_thumbnail_urls.push(sizes['150x150'].url);
      out.set(row.board_id, media);
    }
    return out;
  }

  /**
   * One pin as the viewer may see it. The hot path: the pin and its images come from the cache, the
   * board's privacy and owner from the boards cache (so a board deleted or made secret is seen at once).
   */
  async get(viewer: Principal, id: string) {
    const held = this.held(viewer, id);
    if (held) return held;
    const cached = (await this.cores([id])).get(id);
    const board = cached && (await this.boards.cachedAccess(cached.pin.board_id));
    if (!cached || !board) throw pinNotFound();
    authorizePin(viewer, { owner_id: cached.pin.owner_id, board_privacy: board.privacy }, 'read');
    return this.cachedView(viewer, cached, board);
  }

  /**
   * get() without waiting, when this node holds the pin and its board's access (the hot path: no
   * promise); undefined when only get() can tell. Throws as get() does.
   */
  held(viewer: Principal, id: string) {
    const copy = this.heldCopy(viewer, id);
    return copy && this.cachedView(viewer, copy.cached, copy.board);
  }

  /** The cached copy of a pin and its board's access, when this node holds both (see held()). */
  private heldCopy(viewer: Principal, id: string) {
    const cached = this.cache.peek<CachedPin>(pinKey(id));
    if (!cached) return undefined;
    const board = this.boards.heldAccess(cached.pin.board_id);
    if (board === undefined) return undefined;
    if (!board) throw pinNotFound();
    authorizePin(viewer, { owner_id: cached.pin.owner_id, board_privacy: board.privacy }, 'read');
    return { cached, board };
  }

  /**
   * held() as the bytes GET /v5/pins/{pin_id} sends: written once per cached copy, board access and
   * `is_owner`, then the same bytes for every request (no view object, no JSON made per request).
   */
  heldText(viewer: Principal, id: string): PinPageText | undefined {
    const copy = this.heldCopy(viewer, id);
    if (!copy) return undefined;
    const { cached, board } = copy;
    const shown = this.shownBytes(viewer, cached, board);
    let byBoard = this.pinTexts.get(shown);
    if (!byBoard) {
      byBoard = new WeakMap();
      this.pinTexts.set(shown, byBoard);
    }
    let texts = byBoard.get(board);
    if (!texts) {
      texts = [undefined, undefined];
      byBoard.set(board, texts);
    }
    const own = cached.pin.owner_id === viewer.userId ? 1 : 0;
    let text = texts[own];
    if (!text) {
      text = { [PAGE_JSON]: joinBytes([shown, ownerBytes(board), own ? TRUE : FALSE, '}']) };
      texts[own] = text;
    }
    return text;
  }

  /** Drops cached pins after their images became ready. */
  imagesReadyConsumer(): TopicConsumer<'image.processed'> {
    return {
      name: 'pins.images-ready',
      topics: ['image.processed'],
      handle: async (payload, ctx) => {
        // Rows from before imageId was added name no image: their pins were never cached as ready.
        if (!('imageId' in payload)) return;
        const { imageId } = payload;
        const rows = await ctx.trx
          .selectFrom('pin_images')
          .select('pin_id')
          .where('image_id', '=', imageId)
          .execute();
        await this.cache.invalidate(...rows.map((r) => pinKey(r.pin_id)));
      },
    };
  }

  /** The viewer's own pins, newest first; secret-board pins only with pins:read_secret. */
  async listOwn(viewer: Principal, q: { pin_filter?: string; page_size?: number; bookmark?: string }) {
    const privacies: Privacy[] = viewer.scopes.has('pins:read_secret')
      ? ['PUBLIC', 'PROTECTED', 'SECRET']
      : ['PUBLIC', 'PROTECTED'];
    return this.page(viewer, `pins:${viewer.userId}:${privacies}:${q.pin_filter ?? ''}`, q, {
      ownerId: viewer.userId,
      privacies,
      excludeRepins: q.pin_filter === 'exclude_repins',
      excludeNative: q.pin_filter === 'exclude_native',
      // Nothing has been promoted yet, so that filter leaves nothing.
      ...(q.pin_filter === 'has_been_promoted' ? { sectionId: '0' } : {}),
    });
  }

  /** Pins on a board (or one of its sections) the viewer may read. */
  async listBoard(
    viewer: Principal,
    boardId: string,
    sectionId: string | undefined,
    q: { page_size?: number; bookmark?: string },
  ) {
    const { board, pins, bookmark } = await this.boardSlice(viewer, boardId, sectionId, q);
    return { items: pins.map((c) => this.cachedView(viewer, c, board)), bookmark };
  }

  /**
   * A board's (or section's) page as its routes send it, served on the BOARD surface: written straight
   * from each cached pin's own JSON text with its impression token, without a view object per pin.
   * With `pin_metrics` the views are built and served as everywhere else.
   */
  async boardPage(
    viewer: Principal,
    boardId: string,
    sectionId: string | undefined,
    q: { page_size?: number; bookmark?: string; pin_metrics?: boolean },
    requestId: string,
  ): Promise<PinPageText> {
    if (q.pin_metrics) {
      const page = await this.listBoard(viewer, boardId, sectionId, q);
      await this.serve(viewer, page.items, { requestId, surface: 'BOARD', metrics: true });
      return { [PAGE_JSON]: Buffer.from(pinPageJson(page)) };
    }
    const { board, pins, bookmark } = await this.boardSlice(viewer, boardId, sectionId, q);
    const tokens =
      pins.length > 0
        ? this.serving.tokens(
            viewer,
            pins.map((c) => c.pin.id),
            'BOARD',
            requestId,
          )
        : [];
    const owner = ownerBytes(board);
    return {
      [PAGE_JSON]: writePage(
        pins.length,
        (i, parts) => this.writeServed(parts, viewer, pins[i]!, board, tokens[i], owner),
        bookmark,
      ),
    };
  }

  /**
   * Pins of a list surface (feeds) written as JSON, one Buffer per pin the viewer may see, in the order
   * given (as byIds: a pin gone, or on a secret board of someone else, is left out). Each is the pin as
   * GET /v5/pins/{pin_id} shows it, written from its cached copy's JSON as boardPage writes them, with its
   * impression token for `surface` and then `extra(pinId)` (JSON members, e.g. `"reason":"X"`, or '').
   * With `publicOnly` (discovery: global search, home feed) only pins on discoverable boards are kept
   * (boards' isDiscoverable), for their owner too.
   */
  async listedJson(
    viewer: Principal,
    ids: readonly string[],
    how: {
      surface: ServedSurface;
      requestId: string;
      extra?: (pinId: string) => string;
      publicOnly?: boolean;
    },
  ): Promise<{ ids: string[]; json: Buffer[] }> {
    const cores = await this.cores(ids);
    const shown: { c: CachedPin; board: CachedBoardAccess }[] = [];
    for (const id of ids) {
      const c = cores.get(id);
      if (!c) continue;
      let board = this.boards.heldAccess(c.pin.board_id);
      if (board === undefined) board = await this.boards.cachedAccess(c.pin.board_id);
      if (!board || (how.publicOnly && !isDiscoverable(board.privacy))) continue;
      if (!mayReadPin(viewer, c.pin.owner_id, board.privacy)) continue;
      shown.push({ c, board });
    }
    const shownIds = shown.map((s) => s.c.pin.id);
    const tokens =
      shownIds.length > 0 ? this.serving.tokens(viewer, shownIds, how.surface, how.requestId) : [];
    const json = shown.map(({ c, board }, i) => {
      const parts: (Buffer | string)[] = [];
      this.writeServed(parts, viewer, c, board, tokens[i], ownerBytes(board), how.extra?.(c.pin.id));
      return joinBytes(parts);
    });
    return { ids: shownIds, json };
  }

  /** The cached pins of one page of a board (or section) the viewer may read, and the next bookmark. */
  private async boardSlice(
    viewer: Principal,
    boardId: string,
    sectionId: string | undefined,
    q: { page_size?: number; bookmark?: string },
  ) {
    if (sectionId) await this.boards.requireSection(viewer, boardId, sectionId, 'read');
    const board = this.boards.heldAccess(boardId) ?? (await this.boards.cachedAccess(boardId));
    authorizeBoard(viewer, board ?? undefined, 'read');
    const scope = `board-pins:${boardId}:${sectionId ?? ''}`;
    const size = q.page_size ?? 25;
    const after = q.bookmark ? String(this.bookmarks.decode(scope, q.bookmark)[0]) : undefined;
    const ids = await this.listIds(boardId, sectionId, after, size + 1);
    const page = this.bookmarks.page(scope, ids, size, (last) => [last]);
    const cores = await this.cores(page.items);
    const pins: CachedPin[] = [];
    for (const id of page.items) {
      const c = cores.get(id);
      // A pin moved away or deleted since the id was read is left out rather than shown on the wrong board.
      if (!c || c.pin.board_id !== boardId || (sectionId && c.pin.section_id !== sectionId)) continue;
      pins.push(c);
    }
    return { board: board!, pins, bookmark: page.bookmark };
  }

  /**
   * Up to `limit` ids of a board's (or section's) pins below `after`, newest first: the first LIST_HEAD
   * come from the cache (writers invalidate it when the board's pins change), deeper pages from the
   * database.
   */
  private async listIds(
    boardId: string,
    sectionId: string | undefined,
    after: string | undefined,
    limit: number,
  ) {
    const where = { boardId, ...(sectionId ? { sectionId } : {}) };
    const key = listKey(boardId, sectionId);
    const head =
      this.cache.peek<CachedList>(key) ??
      (await this.cache.getOrLoad<CachedList>(key, LIST_TTL_MS, async () => {
        const ids = await repo.listIds(this.db, where, undefined, LIST_HEAD + 1);
        return { ids: ids.slice(0, LIST_HEAD), complete: ids.length <= LIST_HEAD };
      }));
    let start = 0;
    if (after !== undefined) {
      start = head.ids.findIndex((id) => idBelow(id, after));
      if (start < 0) start = head.ids.length;
    }
    const slice = head.ids.slice(start, start + limit);
    if (slice.length === limit || head.complete) return slice;
    return repo.listIds(this.db, where, after, limit);
  }

  /** Takes the pins out of a section being deleted (they stay on its board); see BoardsService. */
  async emptySection(trx: Db, boardId: string, sectionId: string): Promise<() => Promise<void>> {
    const moved = await repo.clearSection(trx, boardId, sectionId);
    return async () => {
      await this.cache.invalidate(...moved.map(pinKey));
      await this.listsChanged({ boardId, sectionId });
    };
  }

  /** Drops the cached id lists a write changed (after its transaction committed). */
  private async listsChanged(...places: { boardId: string; sectionId: string | null }[]) {
    const keys = new Set<string>();
    for (const { boardId, sectionId } of places) {
      keys.add(listKey(boardId, null));
      if (sectionId) keys.add(listKey(boardId, sectionId));
    }
    await this.cache.invalidate(...keys);
  }

  /** Pins' own fields and images, from the cache, loading all misses in two queries. */
  private async cores(ids: readonly string[]): Promise<Map<string, CachedPin>> {
    // Pins this node holds are taken as they are; the rest are read through the cache in one go.
    const out = new Map<string, CachedPin>();
    const missing: string[] = [];
    for (const id of ids) {
      const held = this.cache.peek<CachedPin>(pinKey(id));
      if (held) out.set(id, held);
      else missing.push(pinKey(id));
    }
    if (missing.length === 0) return out;
    const byKey = await this.cache.getOrLoadMany<CachedPin>(missing, PIN_TTL_MS, async (keys) => {
      const missingIds = keys.map((k) => k.slice('pin:'.length));
      const rows = await repo.byIds(this.db, missingIds);
      const images = await repo.imagesOf(this.db, missingIds);
      return new Map(rows.map((row) => [pinKey(row.id), core(row, images.get(row.id) ?? [])]));
    });
    for (const [key, value] of byKey) out.set(key.slice('pin:'.length), value);
    return out;
  }

  /**
   * `view` of a cached pin. What does not depend on the viewer or the board is worked out once per cached
   * copy (a copy is replaced, not changed, when the pin changes), so a hot pin costs one object spread.
   */
  private cachedView(viewer: Principal, c: CachedPin, board: CachedBoardAccess) {
    return {
      ...this.shownOf(viewer, c, board),
      board_owner: { username: board.owner_username },
      is_owner: c.pin.owner_id === viewer.userId,
    };
  }

  /**
   * Appends one served pin's JSON to `parts`: the cached copy's bytes, then `board_owner` (`owner`, from
   * ownerBytes), `is_owner`, its impression token and any `extra` fields (JSON members, comma-separated).
   */
  private writeServed(
    parts: (Buffer | string)[],
    viewer: Principal,
    c: CachedPin,
    board: CachedBoardAccess,
    token: string | undefined,
    owner: Buffer,
    extra?: string,
  ): void {
    parts.push(this.shownBytes(viewer, c, board), owner, c.pin.owner_id === viewer.userId ? TRUE : FALSE);
    // Tokens are base64url text with an optional `.digit`: nothing to escape.
    let tail = token === undefined ? '' : `,"impression_token":"${token}"`;
    if (extra) tail += `,${extra}`;
    parts.push(`${tail}}`);
  }

  /** shownOf()'s JSON text as bytes, made once per cached copy that a page shows. */
  private shownBytes(viewer: Principal, c: CachedPin, board: CachedBoardAccess): Buffer {
    const shown = this.shownOf(viewer, c, board);
    let bytes = this.shownAsBytes.get(shown);
    if (!bytes) {
      bytes = Buffer.from(shown[PIN_JSON]);
      this.shownAsBytes.set(shown, bytes);
    }
    return bytes;
  }

  /** What a cached copy shows to every viewer, with its JSON text; worked out once per copy. */
  private shownOf(viewer: Principal, c: CachedPin, board: CachedBoardAccess) {
    let shown = this.shown.get(c);
    if (!shown) {
      const {
        board_owner: _o,
        is_owner: _i,
        ...rest
      } = this.view(viewer, this.withBoard(c, board), c.images);
      shown = { ...rest, [PIN_JSON]: JSON.stringify(rest).slice(0, -1) };
      this.shown.set(c, shown);
    }
    return shown;
  }

  private withBoard(c: CachedPin, board: CachedBoardAccess): PinRow {
    return {
      ...c.pin,
      created_at: new Date(c.pin.created_at),
      board_privacy: board.privacy,
      board_owner_id: board.owner_id,
      board_owner_username: board.owner_username,
    };
  }

  private async page(
    viewer: Principal,
    scope: string,
    q: { page_size?: number; bookmark?: string },
    filter: Parameters<typeof repo.list>[1],
  ) {
    const size = q.page_size ?? 25;
    const after = q.bookmark ? String(this.bookmarks.decode(scope, q.bookmark)[0]) : undefined;
    const rows = await repo.list(this.db, filter, after, size + 1);
    const page = this.bookmarks.page(scope, rows, size, (last) => [last.id]);
    return { items: await this.views(viewer, page.items), bookmark: page.bookmark };
  }

  /** Creates a pin; images are fetched or decoded and checked first, so bad media writes nothing. */
  async create(viewer: Principal, body: Static<typeof PinCreate>) {
    // A pin saved from another names one the viewer may see (404 as GET /v5/pins/{id} otherwise): the
    // parent gains engagement from it, and must not be a secret pin or an invented id.
    if (body.parent_pin_id) authorizePin(viewer, await repo.byId(this.db, body.parent_pin_id), 'read');
    const incoming = await this.intake(body.media_source, body.link);
    const id = await this.ids.next('pin');
    await this.db.transaction().execute(async (trx) => {
      await this.placement(viewer, body.board_id, body.board_section_id ?? null, trx);
      const imageIds: string[] = [];
      for (const image of incoming) imageIds.push(await this.images.store(trx, image));
      await repo.insert(trx, {
        id,
        owner_id: viewer.userId,
        board_id: body.board_id,
        section_id: body.board_section_id ?? null,
        parent_pin_id: body.parent_pin_id ?? null,
        title: body.title ?? null,
        description: body.description ?? null,
        alt_text: body.alt_text ?? null,
        link: body.link ?? null,
        dominant_color: body.dominant_color ?? null,
        media_type: incoming.length > 1 ? 'multiple_images' : 'image',
      });
      await repo.linkImages(
        trx,
        id,
        incoming.map((image, i) => ({
          image_id: imageIds[i]!,
          title: image.title ?? null,
          description: image.description ?? null,
          link: image.link ?? null,
        })),
      );
      await this.boards.pinsChanged(trx, body.board_id);
      await emit(trx, 'pin.created', { pinId: id, ownerId: viewer.userId, boardId: body.board_id });
    });
    await this.listsChanged({ boardId: body.board_id, sectionId: body.board_section_id ?? null });
    return this.get(viewer, id);
  }

  /** Saves a pin the viewer can see to one of the viewer's boards, sharing its images. */
  async save(
    viewer: Principal,
    sourceId: string,
    target: { board_id?: string | null; board_section_id?: string | null },
  ) {
    const source = authorizePin(viewer, await repo.byId(this.db, sourceId), 'read');
    if (!target.board_id) throw new Invalid('board_id is required: the board to save the Pin to.');
    const boardId = target.board_id;
    const id = await this.ids.next('pin');
    await this.db.transaction().execute(async (trx) => {
      await this.placement(viewer, boardId, target.board_section_id ?? null, trx);
      const links = await repo.imageLinks(trx, source.id);
      await repo.insert(trx, {
        id,
        owner_id: viewer.userId,
        board_id: boardId,
        section_id: target.board_section_id ?? null,
        parent_pin_id: source.id,
        title: source.title,
        description: source.description,
        alt_text: source.alt_text,
        link: source.link,
        dominant_color: source.dominant_color,
        media_type: source.media_type,
      });
      await repo.linkImages(trx, id, links);
      await this.boards.pinsChanged(trx, boardId);
      await emit(trx, 'pin.saved', { pinId: id, parentPinId: source.id, ownerId: viewer.userId, boardId });
      await this.serving.saved(trx, viewer, source.id, boardId);
    });
    await this.listsChanged({ boardId, sectionId: target.board_section_id ?? null });
    return this.get(viewer, id);
  }

  async update(viewer: Principal, id: string, patch: Static<typeof PinUpdate>) {
    const moved = await this.db.transaction().execute(async (trx) => {
      const pin = authorizePin(viewer, await repo.byId(trx, id), 'write');
      const boardId = patch.board_id ?? pin.board_id;
      const sectionId =
        patch.board_section_id !== undefined
          ? patch.board_section_id
          : patch.board_id
            ? null
            : pin.section_id;
      if (boardId !== pin.board_id || sectionId !== pin.section_id)
        await this.placement(viewer, boardId, sectionId, trx);
      // Only the documented fields reach the UPDATE, whatever object the caller passed.
      await repo.update(trx, id, { ...pinText(patch), board_id: boardId, section_id: sectionId });
      if (boardId !== pin.board_id) {
        await this.boards.pinsChanged(trx, pin.board_id);
        await this.boards.pinsChanged(trx, boardId);
      }
      await emit(trx, 'pin.updated', { pinId: id });
      const from = { boardId: pin.board_id, sectionId: pin.section_id };
      return boardId !== pin.board_id || sectionId !== pin.section_id ? [from, { boardId, sectionId }] : [];
    });
    await this.cache.invalidate(pinKey(id), DISCOVERY_EPOCH_KEY);
    await this.listsChanged(...moved);
    return this.get(viewer, id);
  }

  /** Deletes the viewer's pin; pins others saved from it stay (their parent_pin_id keeps the id). */
  async delete(viewer: Principal, id: string) {
    const pin = await this.db.transaction().execute(async (trx) => {
      const pin = authorizePin(viewer, await repo.byId(trx, id), 'write');
      await repo.delete(trx, id);
      await this.boards.pinsChanged(trx, pin.board_id);
      await emit(trx, 'pin.deleted', { pinId: id, ownerId: viewer.userId, boardId: pin.board_id });
      return pin;
    });
    await this.cache.invalidate(pinKey(id), DISCOVERY_EPOCH_KEY);
    await this.listsChanged({ boardId: pin.board_id, sectionId: pin.section_id });
  }

  /** The board (and section) a pin goes to must be the viewer's, writable, and the section on that board. */
  private async placement(viewer: Principal, boardId: string, sectionId: string | null, trx: Db) {
    const board = await this.boards.authorize(viewer, boardId, 'write', trx);
    if (board.privacy === 'SECRET' && !viewer.scopes.has('pins:write_secret')) {
      throw new Forbidden('Not authorized: adding Pins to a secret board needs the scope pins:write_secret.');
    }
    if (sectionId) await this.boards.requireSection(viewer, boardId, sectionId, 'write', trx);
  }

  private async intake(source: Static<typeof MediaSource>, link?: string | null): Promise<IncomingImage[]> {
    switch (source.source_type) {
      case 'image_url':
        return [await fromUrl(source.url, this.limits)];
      case 'image_base64':
        return [await fromBase64(source.data, this.limits)];
      case 'multiple_image_urls':
        return Promise.all(
          source.items.map(async (item, i) => ({
            ...(await fromUrl(item.url, this.limits, `media_source.items[${i}].url`)),
            ...pick(item),
          })),
        );
      case 'multiple_image_base64': {
        const out: IncomingImage[] = [];
        for (const [i, item] of source.items.entries()) {
          out.push({
            ...(await fromBase64(item.data, this.limits, `media_source.items[${i}].data`)),
            ...pick(item),
          });
        }
        return out;
      }
      case 'pin_url':
        return [await fromPage(link, this.limits)];
      case 'video_id':
        throw new Invalid(
          'Video Pins are not supported yet: media uploads are accepted but cannot be pinned.',
        );
    }
  }
}

/** The text fields a pin update may set, and only those that were given. */
function pinText(patch: Static<typeof PinUpdate>) {
  const out: {
    title?: string | null;
    description?: string | null;
    link?: string | null;
    alt_text?: string | null;
  } = {};
  if (patch.title !== undefined) out.title = patch.title;
  if (patch.description !== undefined) out.description = patch.description;
  if (patch.link !== undefined) out.link = patch.link;
  if (patch.alt_text !== undefined) out.alt_text = patch.alt_text;
  return out;
}

function pick(item: { title?: string; description?: string; link?: string }) {
  return {
    ...(item.title !== undefined ? { title: item.title } : {}),
    ...(item.description !== undefined ? { description: item.description } : {}),
    ...(item.link !== undefined ? { link: item.link } : {}),
  };
}
