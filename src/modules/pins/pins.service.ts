import type { Static } from 'typebox';
import type { Bookmarks } from '../../platform/bookmarks.js';
import type { Db } from '../../platform/db/database.js';
import { Invalid } from '../../platform/errors.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { Principal } from '../../platform/principal.js';
import {
  authorizeBoard,
  type BoardsService,
  type CachedBoardAccess,
  DISCOVERY_EPOCH_KEY,
  ownListPrivacies,
} from '../boards/index.js';
import { emit } from '../topics.js';
import { intake, type Limits } from './image-intake.js';
import type { ImagesService } from './images.service.js';
import type { OwnMedia } from './own-media.js';
import {
  type InsertedItem,
  isInserted,
  type ListServing,
  PinPresenter,
  type PinServing,
  type PinView,
  type Promotions,
  type ShownPin,
  writtenPage,
} from './pin.presenter.js';
import type { PinCopy, PinStore } from './pin-store.js';
import { authorizePin, authorizeSecretPlacement, listsPin, pinNotFound } from './pins.policy.js';
import { pinsRepository as repo } from './pins.repository.js';
import type { PinCreate, PinUpdate } from './pins.schemas.js';

/** What the pins service is built from; every part is required (see buildProduct). */
export interface PinsDeps {
  readonly db: Db;
  readonly ids: IdGenerator;
  readonly bookmarks: Bookmarks;
  readonly boards: BoardsService;
  readonly images: ImagesService;
  readonly store: PinStore;
  readonly limits: Limits;
  /** This server's image files (PUBLIC_URL and the blob store): a pin made from one reads it, unfetched. */
  readonly ownMedia: OwnMedia;
  /** Impression tokens and pin metrics for served pins. */
  readonly serving: PinServing;
  /** Promoted pins for the surfaces that carry them (none when absent). */
  readonly promotions?: Promotions;
  /** Records that the viewer saved a pin (a SAVE event), in the saving transaction. */
  saved(trx: Db, viewer: Principal, pinId: string, boardId: string): Promise<void>;
}

/** A list surface's options: ListServing, and with `publicOnly` (discovery) only discoverable boards. */
export type ListOptions = ListServing & { readonly publicOnly?: boolean };

/** The index in `ids` of `shown[k]` (shown is the visible ones of ids, in their order). */
function indexOf(ids: readonly string[], shown: readonly ShownPin[], k: number): number {
  let j = -1;
  for (let i = 0; i <= k; i++) {
    const id = shown[i]!.pinId;
    do j++;
    while (ids[j] !== id);
  }
  return j;
}

/** A pin of a list with its board's access, when the list may show it to the viewer (see shownOf). */
function shown(
  viewer: Principal,
  copy: PinCopy,
  board: CachedBoardAccess | null | undefined,
  how: { readonly publicOnly?: boolean },
  inserted?: InsertedItem,
): ShownPin | undefined {
  const pin = copy.pin;
  if (!board || !listsPin(viewer, pin.owner_id, board.privacy, how.publicOnly === true)) return undefined;
  return inserted
    ? { pinId: pin.id, ownerId: pin.owner_id, copy, board, inserted }
    : { pinId: pin.id, ownerId: pin.owner_id, copy, board };
}

/**
 * Pins: the use cases (create from every media source, save, edit, delete) and the reads, every list
 * rendered through one path (list: visibility by the pins policy, JSON by the pin presenter).
 */
export class PinsService {
  private readonly presenter: PinPresenter;
  private readonly db: Db;
  private readonly store: PinStore;
  private readonly boards: BoardsService;

  constructor(private readonly deps: PinsDeps) {
    this.presenter = new PinPresenter(deps.images, deps.serving);
    this.db = deps.db;
    this.store = deps.store;
    this.boards = deps.boards;
  }

  /**
   * One pin as the viewer may see it, as an object. Its copy comes from the cache, its board's privacy and
   * owner from the boards cache (so a board deleted or made secret is seen at once).
   */
  async get(viewer: Principal, id: string): Promise<PinView> {
    return this.presenter.viewOf(viewer, await this.readable(viewer, id));
  }

  /**
   * GET /v5/pins/{pin_id}'s answer without waiting, when this node holds the pin and its board's access
   * (the hot path: no promise, the same bytes for every request); undefined when only read() can tell.
   * Throws as get() does.
   */
  heldText(viewer: Principal, id: string): Buffer | undefined {
    const copy = this.store.peek(id);
    if (!copy) return undefined;
    const board = this.boards.heldAccess(copy.pin.board_id);
    if (board === undefined) return undefined;
    return this.presenter.text(viewer, this.authorizeRead(viewer, copy, board));
  }

  /** GET /v5/pins/{pin_id}'s answer as bytes; with `metrics`, the viewer's own pin has `pin_metrics`. */
  async text(viewer: Principal, id: string, how: { metrics?: boolean; requestId: string }): Promise<Buffer> {
    const shown = await this.readable(viewer, id);
    if (!how.metrics) return this.presenter.text(viewer, shown);
    const [json] = await this.presenter.write(viewer, [shown], { requestId: how.requestId, metrics: true });
    return json!;
  }

  /**
   * The one way a list of pins is rendered, on every surface: the pins the viewer may see (the pins
   * policy; a pin gone, or one the viewer may not read, is left out, not refused), in the order given, each
   * written by the presenter with its impression token for `surface`.
   *
   * With `promote`, ads take places of the page (it never holds more items than `ids`): each a promoted
   * pin (InsertedItem, with its own token and members) that passes the same rule. The last organic pins
   * may be displaced: `consumed` is how many of `ids` the page covers (all of them unless some were
   * displaced), so the surface's bookmark points at the first one not shown.
   */
  async list(
    viewer: Principal,
    ids: readonly string[],
    how: ListOptions,
  ): Promise<{ ids: string[]; json: Buffer[]; consumed: number }> {
    let shown = await this.visible(viewer, ids, how);
    let consumed = ids.length;
    const promotions = this.deps.promotions;
    const surface = how.surface;
    if (
      how.promote &&
      promotions &&
      (surface === 'HOME_FEED' || surface === 'RELATED' || surface === 'SEARCH')
    ) {
      // The context as the surface made it and the page as a literal: not `{ ...how.promote, surface }`,
      // which gets a new V8 map per page (docs/architecture.md, "Object shapes").
      const page = await promotions.fill(viewer, shown, how.promote, {
        surface,
        requestId: how.requestId,
        room: ids.length,
      });
      if (page !== shown) {
        const laid = await this.laidOut(viewer, page, how);
        if (laid.organic < shown.length) consumed = indexOf(ids, shown, laid.organic);
        shown = laid.shown;
      }
    }
    const json = await this.presenter.write(viewer, shown, how);
    return { ids: shown.map((s) => s.pinId), json, consumed };
  }

  /**
   * A filled page as shown pins: its organic pins as they are (they passed the rule), each inserted item
   * as the pin it names when that passes the same rule (left out otherwise), and how many of the page are
   * organic. Waits only for a pin or board this node does not hold.
   */
  private async laidOut(
    viewer: Principal,
    page: readonly (ShownPin | InsertedItem)[],
    how: { readonly publicOnly?: boolean },
  ): Promise<{ shown: ShownPin[]; organic: number }> {
    const out: ShownPin[] = [];
    let organic = 0;
    for (let i = 0; i < page.length; i++) {
      const item = page[i]!;
      if (!isInserted(item)) {
        out.push(item);
        organic++;
        continue;
      }
      const copy = this.store.peek(item.pinId) ?? (await this.store.copies([item.pinId])).get(item.pinId);
      if (!copy) continue;
      let pin = this.shownOf(viewer, copy, how, item);
      if (pin instanceof Promise) pin = await pin;
      if (pin) out.push(pin);
    }
    return { shown: out, organic };
  }

  /** The pins of `ids` the viewer may see, with their copies and boards' access, in order (see list()). */
  async visible(
    viewer: Principal,
    ids: readonly string[],
    how: { readonly publicOnly?: boolean } = {},
  ): Promise<ShownPin[]> {
    const copies = await this.store.copies(ids);
    const shown: ShownPin[] = [];
    for (let i = 0; i < ids.length; i++) {
      const copy = copies.get(ids[i]!);
      if (!copy) continue;
      let pin = this.shownOf(viewer, copy, how);
      if (pin instanceof Promise) pin = await pin;
      if (pin) shown.push(pin);
    }
    return shown;
  }

  /**
   * A pin of a list as shown to the viewer, when its board exists and the list may show it to them (the
   * pins policy); a promise only when this node does not hold the board's access.
   */
  private shownOf(
    viewer: Principal,
    copy: PinCopy,
    how: { readonly publicOnly?: boolean },
    inserted?: InsertedItem,
  ): ShownPin | undefined | Promise<ShownPin | undefined> {
    const board = this.access(copy.pin.board_id);
    return board instanceof Promise
      ? board.then((b) => shown(viewer, copy, b, how, inserted))
      : shown(viewer, copy, board, how, inserted);
  }

  /** GET /v5/pins: the viewer's own pins, newest first; secret-board pins only with pins:read_secret. */
  async listOwn(
    viewer: Principal,
    q: { pin_filter?: string; page_size?: number; bookmark?: string; pin_metrics?: boolean },
    requestId: string,
  ): Promise<Buffer> {
    const privacies = ownListPrivacies(viewer, 'pins');
    const scope = `pins:${viewer.userId}:${privacies}:${q.pin_filter ?? ''}`;
    const size = q.page_size ?? 25;
    const after = q.bookmark ? String(this.deps.bookmarks.decode(scope, q.bookmark)[0]) : undefined;
    const rows = await repo.list(
      this.db,
      {
        ownerId: viewer.userId,
        privacies,
        excludeRepins: q.pin_filter === 'exclude_repins',
        excludeNative: q.pin_filter === 'exclude_native',
        // Nothing has been promoted yet, so that filter leaves nothing.
        ...(q.pin_filter === 'has_been_promoted' ? { sectionId: '0' } : {}),
      },
      after,
      size + 1,
    );
    const page = this.deps.bookmarks.page(
      scope,
      rows.map((r) => r.id),
      size,
      (last) => [last],
    );
    const { json } = await this.list(viewer, page.items, {
      requestId,
      surface: 'PROFILE',
      metrics: q.pin_metrics === true,
    });
    return writtenPage(json, page.bookmark);
  }

  /** A board's (or section's) page of pins, served on the BOARD surface. */
  async boardPage(
    viewer: Principal,
    boardId: string,
    sectionId: string | undefined,
    q: { page_size?: number; bookmark?: string; pin_metrics?: boolean },
    requestId: string,
  ): Promise<Buffer> {
    if (sectionId) await this.boards.requireSection(viewer, boardId, sectionId, 'read');
    const board = await this.access(boardId);
    authorizeBoard(viewer, board ?? undefined, 'read');
    const scope = `board-pins:${boardId}:${sectionId ?? ''}`;
    const size = q.page_size ?? 25;
    const after = q.bookmark ? String(this.deps.bookmarks.decode(scope, q.bookmark)[0]) : undefined;
    const ids = await this.store.listIds(boardId, sectionId, after, size + 1);
    const page = this.deps.bookmarks.page(scope, ids, size, (last) => [last]);
    const copies = await this.store.copies(page.items);
    const pins: ShownPin[] = [];
    for (const id of page.items) {
      const copy = copies.get(id);
      // A pin moved away or deleted since the id was read is left out rather than shown on the wrong board.
      if (!copy || copy.pin.board_id !== boardId || (sectionId && copy.pin.section_id !== sectionId))
        continue;
      pins.push({ pinId: id, ownerId: copy.pin.owner_id, copy, board: board! });
    }
    const json = await this.presenter.write(viewer, pins, {
      requestId,
      surface: 'BOARD',
      metrics: q.pin_metrics === true,
    });
    return writtenPage(json, page.bookmark);
  }

  /** A pin the viewer may read, with its board's access; NotFound (or Forbidden) as GET /v5/pins/{id}. */
  private async readable(viewer: Principal, id: string): Promise<ShownPin> {
    const copy = (await this.store.copies([id])).get(id);
    const board = copy && (await this.access(copy.pin.board_id));
    if (!copy || !board) throw pinNotFound();
    return this.authorizeRead(viewer, copy, board);
  }

  private authorizeRead(
    viewer: Principal,
    copy: PinCopy,
    board: CachedBoardAccess | null | undefined,
  ): ShownPin {
    if (!board) throw pinNotFound();
    authorizePin(viewer, { owner_id: copy.pin.owner_id, board_privacy: board.privacy }, 'read');
    return { pinId: copy.pin.id, ownerId: copy.pin.owner_id, copy, board };
  }

  /**
   * A board's access, from this node when it holds it (then without a promise), else through the cache;
   * nullish for no board.
   */
  private access(boardId: string): CachedBoardAccess | null | Promise<CachedBoardAccess | undefined> {
    const held = this.boards.heldAccess(boardId);
    return held === undefined ? this.boards.cachedAccess(boardId) : held;
  }

  /** Creates a pin; images are fetched or decoded and checked first, so bad media writes nothing. */
  async create(viewer: Principal, body: Static<typeof PinCreate>) {
    // A pin saved from another names one the viewer may see (404 as GET /v5/pins/{id} otherwise): the
    // parent gains engagement from it, and must not be a secret pin or an invented id.
    if (body.parent_pin_id) authorizePin(viewer, await repo.byId(this.db, body.parent_pin_id), 'read');
    const incoming = await intake(body.media_source, body.link, this.deps.limits, this.deps.ownMedia);
    const id = await this.deps.ids.next('pin');
    await this.db.transaction().execute(async (trx) => {
      await this.placement(viewer, body.board_id, body.board_section_id ?? null, trx);
      const imageIds: string[] = [];
      for (const image of incoming) imageIds.push(await this.deps.images.store(trx, image));
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
    await this.store.listsChanged({ boardId: body.board_id, sectionId: body.board_section_id ?? null });
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
    const id = await this.deps.ids.next('pin');
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
      await this.deps.saved(trx, viewer, source.id, boardId);
    });
    await this.store.listsChanged({ boardId, sectionId: target.board_section_id ?? null });
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
    await this.store.pinsChanged([id], DISCOVERY_EPOCH_KEY);
    await this.store.listsChanged(...moved);
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
    await this.store.pinsChanged([id], DISCOVERY_EPOCH_KEY);
    await this.store.listsChanged({ boardId: pin.board_id, sectionId: pin.section_id });
  }

  /** The board (and section) a pin goes to must be the viewer's, writable, and the section on that board. */
  private async placement(viewer: Principal, boardId: string, sectionId: string | null, trx: Db) {
    const board = await this.boards.authorize(viewer, boardId, 'write', trx);
    authorizeSecretPlacement(viewer, board.privacy);
    if (sectionId) await this.boards.requireSection(viewer, boardId, sectionId, 'write', trx);
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
