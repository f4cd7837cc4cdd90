import type { Cache } from '../../platform/cache/cache.js';
import type { Db } from '../../platform/db/database.js';
import type { BoardMedia, BoardPins } from '../boards/index.js';
import type { TopicConsumer } from '../topics.js';
import type { ImagesService } from './images.service.js';
import { type PinImage, type PinRow, pinsRepository as repo } from './pins.repository.js';

/** A pin's own fields and images as the cache holds them (its board's privacy and owner come apart). */
export type PinCopy = {
  pin: Omit<PinRow, 'board_privacy' | 'board_owner_id' | 'board_owner_username'>;
  images: PinImage[];
};

const PIN_TTL_MS = 10 * 60_000;
const pinKey = (id: string) => `pin:${id}`;

/** The newest ids of a board's (or section's) pins, cached for the first pages of its list. */
const listKey = (boardId: string, sectionId: string | null | undefined) =>
  `board-pin-ids:${boardId}:${sectionId ?? ''}`;
const LIST_HEAD = 200;
const LIST_TTL_MS = 10 * 60_000;
type CachedList = { ids: string[]; complete: boolean };

/** A board, or one of its sections, whose list of pins a write changed. */
export type PinPlace = { boardId: string; sectionId: string | null };

function copyOf(row: PinRow, images: PinImage[]): PinCopy {
  const { board_privacy: _p, board_owner_id: _o, board_owner_username: _u, ...pin } = row;
  return { pin, images };
}

/** Whether one decimal id (no leading zeros) is below another, without BigInt. */
function idBelow(a: string, b: string): boolean {
  return a.length < b.length || (a.length === b.length && a < b);
}

/**
 * The cached side of pins: each pin's copy (fields and images, replaced, never changed, when the pin
 * changes) and the head of each board's and section's list of pin ids; writers say what changed after
 * their commit. Built before the boards service, which takes its covers and section emptying from here.
 */
export class PinStore implements BoardPins {
  constructor(
    private readonly db: Db,
    private readonly cache: Cache,
    private readonly images: ImagesService,
  ) {}

  /** The copy of a pin this node holds, without waiting (undefined when only copies() can tell). */
  peek(id: string): PinCopy | undefined {
    return this.cache.peek<PinCopy>(pinKey(id));
  }

  /** Pins' copies, from the cache, loading all misses in two queries; pins that do not exist are absent. */
  async copies(ids: readonly string[]): Promise<Map<string, PinCopy>> {
    // Pins this node holds are taken as they are; the rest are read through the cache in one go.
    const out = new Map<string, PinCopy>();
    const missing: string[] = [];
    for (const id of ids) {
      const held = this.peek(id);
      if (held) out.set(id, held);
      else missing.push(pinKey(id));
    }
    if (missing.length === 0) return out;
    const byKey = await this.cache.getOrLoadMany<PinCopy>(missing, PIN_TTL_MS, async (keys) => {
      const missingIds = keys.map((k) => k.slice('pin:'.length));
      const rows = await repo.byIds(this.db, missingIds);
      const images = await repo.imagesOf(this.db, missingIds);
      return new Map(rows.map((row) => [pinKey(row.id), copyOf(row, images.get(row.id) ?? [])]));
    });
    for (const [key, value] of byKey) out.set(key.slice('pin:'.length), value);
    return out;
  }

  /**
   * Up to `limit` ids of a board's (or section's) pins below `after`, newest first: the first LIST_HEAD
   * come from the cache (writers invalidate it when the board's pins change), deeper pages from the
   * database.
   */
  async listIds(boardId: string, sectionId: string | undefined, after: string | undefined, limit: number) {
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

  /** Drops the copies of pins a write changed, and any further keys (after its transaction committed). */
  async pinsChanged(ids: readonly string[], ...alsoKeys: string[]): Promise<void> {
    await this.cache.invalidate(...ids.map(pinKey), ...alsoKeys);
  }

  /** Drops the cached id lists a write changed (after its transaction committed). */
  async listsChanged(...places: PinPlace[]): Promise<void> {
    const keys = new Set<string>();
    for (const { boardId, sectionId } of places) {
      keys.add(listKey(boardId, null));
      if (sectionId) keys.add(listKey(boardId, sectionId));
    }
    await this.cache.invalidate(...keys);
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

  /** Takes the pins out of a section being deleted (they stay on its board); see BoardsService. */
  async emptySection(trx: Db, boardId: string, sectionId: string): Promise<() => Promise<void>> {
    const moved = await repo.clearSection(trx, boardId, sectionId);
    return async () => {
      await this.pinsChanged(moved);
      await this.listsChanged({ boardId, sectionId });
    };
  }

  /** Drops cached pins after their images became ready. */
  imagesReadyConsumer(): TopicConsumer<'image.processed'> {
    return {
      name: 'pins.images-ready',
      topics: ['image.processed'],
      handle: async (payload, ctx) => {
        // Rows from before imageId was added name no image: their pins were never cached as ready.
        if (!('imageId' in payload)) return;
        const rows = await ctx.trx
          .selectFrom('pin_images')
          .select('pin_id')
          .where('image_id', '=', payload.imageId)
          .execute();
        await this.pinsChanged(rows.map((r) => r.pin_id));
      },
    };
  }
}
