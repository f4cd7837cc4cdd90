import type { Bookmarks } from '../../platform/bookmarks.js';
import type { Cache } from '../../platform/cache/cache.js';
import type { Db } from '../../platform/db/database.js';
import { isUniqueViolation } from '../../platform/db/errors.js';
import type { Privacy } from '../../platform/db/schema.js';
import { Conflict, Forbidden, Invalid, NotFound } from '../../platform/errors.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { Principal } from '../../platform/principal.js';
import { emit } from '../topics.js';
import { authorizeBoard } from './boards.policy.js';
import { type BoardPosition, type BoardRow, boardsRepository as repo } from './boards.repository.js';
import { DISCOVERY_EPOCH_KEY, isSecret, ownListPrivacies, readsSecret, secretScope } from './visibility.js';

export type PrivacyFilter = 'ALL' | 'PUBLIC' | 'PROTECTED' | 'SECRET' | 'PUBLIC_AND_SECRET';

export interface BoardInput {
  name: string;
  description?: string | null;
  privacy?: Privacy;
  is_ads_only?: boolean;
}

/** How a board looks in responses. Cover images come from its pins' images. */
export function boardView(
  row: BoardRow,
  media?: { image_cover_url: string | null; pin_thumbnail_urls: string[] },
) {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    privacy: row.privacy,
    is_ads_only: row.is_ads_only,
    owner: { username: row.owner_username },
    created_at: new Date(row.created_at).toISOString(),
    board_pins_modified_at: new Date(row.pins_modified_at).toISOString(),
    collaborator_count: 0,
    follower_count: Number(row.follower_count),
    pin_count: Number(row.pin_count),
    media: media ?? { image_cover_url: null, pin_thumbnail_urls: [] },
  };
}
export type BoardView = ReturnType<typeof boardView>;

/** The v5 `privacy` filter of GET /v5/boards, within what the viewer's own list shows (visibility.ts). */
function privaciesFor(viewer: Principal, filter: PrivacyFilter | undefined): Privacy[] {
  const secret = readsSecret(viewer, 'boards');
  if (filter === 'SECRET' && !secret) {
    throw new Forbidden('Not authorized: listing secret boards needs the scope boards:read_secret.');
  }
  switch (filter) {
    case 'PUBLIC':
      return ['PUBLIC'];
    case 'PROTECTED':
      return ['PROTECTED'];
    case 'SECRET':
      return ['SECRET'];
    case 'PUBLIC_AND_SECRET':
      return secret ? ['PUBLIC', 'SECRET'] : ['PUBLIC'];
    default:
      return ownListPrivacies(viewer, 'boards');
  }
}

export interface CachedBoardAccess {
  owner_id: string;
  privacy: Privacy;
  owner_username: string;
}

const ACCESS_TTL_MS = 10 * 60_000;
const accessKey = (id: string) => `board-access:${id}`;

export type BoardMedia = { image_cover_url: string | null; pin_thumbnail_urls: string[] };

/** What boards need from the pins module (which does the reading; boards do not read pins themselves). */
export interface BoardPins {
  /** Cover images of these boards. */
  covers(boardIds: readonly string[]): Promise<Map<string, BoardMedia>>;
  /**
   * Moves a section's pins to the board itself, in the transaction deleting the section; returns what to
   * do once that has committed.
   */
  emptySection(trx: Db, boardId: string, sectionId: string): Promise<() => Promise<void>>;
}

/** Boards and sections: who may see and change them, and the writes, each in one transaction. */
export class BoardsService {
  constructor(
    private readonly db: Db,
    private readonly ids: IdGenerator,
    private readonly bookmarks: Bookmarks,
    private readonly cache: Cache,
    private readonly pins: BoardPins,
  ) {}

  private async views(rows: BoardRow[]): Promise<BoardView[]> {
    const media = await this.pins.covers(rows.map((r) => r.id));
    return rows.map((r) => boardView(r, media.get(r.id)));
  }

  /** The viewer's own boards in their order (boards never placed first, newest first). */
  async list(viewer: Principal, filter: PrivacyFilter | undefined, pageSize: number, bookmark?: string) {
    return this.ownerList(viewer.userId, privaciesFor(viewer, filter), pageSize, bookmark);
  }

  /**
   * The boards of `ownerId` the viewer may read (an extension, GET /v5/users/{username}/boards), in the
   * owner's order: the viewer's own list when it is theirs, else the owner's boards that are not secret.
   */
  async listOf(viewer: Principal, ownerId: string, pageSize: number, bookmark?: string) {
    const privacies: Privacy[] =
      ownerId === viewer.userId ? ownListPrivacies(viewer, 'boards') : ['PUBLIC', 'PROTECTED'];
    return this.ownerList(ownerId, privacies, pageSize, bookmark);
  }

  private async ownerList(ownerId: string, privacies: Privacy[], pageSize: number, bookmark?: string) {
    const scope = `boards:${ownerId}:${privacies.join(',')}`;
    const after = bookmark ? boardPosition(this.bookmarks.decode(scope, bookmark)) : undefined;
    const rows = await repo.listByOwner(this.db, ownerId, privacies, after, pageSize + 1);
    const page = this.bookmarks.page(scope, rows, pageSize, (last) => [last.position, last.id]);
    return { items: await this.views(page.items), bookmark: page.bookmark };
  }

  /** The boards with these ids the viewer may see, as responses, in the order given. */
  async byIds(viewer: Principal, ids: readonly string[]): Promise<BoardView[]> {
    const views = await this.views(await repo.byIds(this.db, ids, viewer));
    const byId = new Map(views.map((b) => [b.id, b]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /** A board the viewer may read; NotFound when it does not exist or is someone else's secret. */
  async get(viewer: Principal, id: string): Promise<BoardView> {
    const row = await repo.byId(this.db, id);
    authorizeBoard(viewer, row, 'read');
    return (await this.views([row!]))[0]!;
  }

  /** The raw access record after a successful policy check (for other modules through index.ts). */
  async authorize(viewer: Principal, id: string, action: 'read' | 'write', db: Db = this.db) {
    const access = await repo.access(db, id, action === 'write');
    authorizeBoard(viewer, access, action);
    return access!;
  }

  async create(viewer: Principal, input: BoardInput): Promise<BoardView> {
    const privacy = input.privacy ?? 'PUBLIC';
    if (isSecret(privacy) && !viewer.scopes.has(secretScope('boards', 'write'))) {
      throw new Forbidden('Not authorized: creating a secret board needs the scope boards:write_secret.');
    }
    const id = await this.ids.next('board');
    await this.db.transaction().execute(async (trx) => {
      await repo.insert(trx, {
        id,
        owner_id: viewer.userId,
        name: input.name.trim() || input.name,
        description: input.description ?? null,
        privacy,
        is_ads_only: input.is_ads_only ?? false,
      });
      await emit(trx, 'board.created', { boardId: id, ownerId: viewer.userId, privacy });
    });
    return (await this.views([(await repo.byId(this.db, id))!]))[0]!;
  }

  async update(
    viewer: Principal,
    id: string,
    patch: Partial<Omit<BoardInput, 'is_ads_only'>> & { position?: number },
  ): Promise<BoardView> {
    await this.db.transaction().execute(async (trx) => {
      const board = await this.authorize(viewer, id, 'write', trx);
      if (patch.position !== undefined) await this.move(trx, board.owner_id, id, patch.position);
      if (
        patch.privacy !== undefined &&
        isSecret(patch.privacy) &&
        !isSecret(board.privacy) &&
        !viewer.scopes.has(secretScope('boards', 'write'))
      ) {
        throw new Forbidden('Not authorized: making a board secret needs the scope boards:write_secret.');
      }
      // Only the documented fields reach the UPDATE, whatever object the caller passed.
      await repo.update(trx, id, writable(patch));
      if (patch.privacy && patch.privacy !== board.privacy) {
        await emit(trx, 'board.privacy_changed', { boardId: id, from: board.privacy, to: patch.privacy });
      }
    });
    await this.cache.invalidate(accessKey(id), DISCOVERY_EPOCH_KEY);
    return (await this.views([(await repo.byId(this.db, id))!]))[0]!;
  }

  /**
   * Moves a board to `position` (0-based) in its owner's order, or to the end when past it; the owner's
   * boards are numbered 0..n-1 in their new order (an extension: Pinterest v5 orders no boards).
   */
  private async move(trx: Db, ownerId: string, id: string, position: number) {
    const order = (await repo.orderOf(trx, ownerId)).filter((b) => b !== id);
    order.splice(Math.min(position, order.length), 0, id);
    await repo.setOrder(trx, ownerId, order);
  }

  /** Deletes the board with its sections and pins (saves of its pins elsewhere stay). */
  async delete(viewer: Principal, id: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await this.authorize(viewer, id, 'write', trx);
      await repo.delete(trx, id);
      await emit(trx, 'board.deleted', { boardId: id, ownerId: viewer.userId });
    });
    await this.cache.invalidate(accessKey(id), DISCOVERY_EPOCH_KEY);
  }

  /**
   * Who owns a board, its privacy and the owner's username, from the cache (for hot read paths such as
   * a pin read); undefined when the board does not exist. Updates and deletes invalidate it.
   */
  /** cachedAccess() without waiting: null for a board known not to exist, undefined when not held. */
  heldAccess(id: string): CachedBoardAccess | null | undefined {
    return this.cache.peek<CachedBoardAccess | null>(accessKey(id));
  }

  async cachedAccess(id: string): Promise<CachedBoardAccess | undefined> {
    const hit = await this.cache.getOrLoad<CachedBoardAccess | null>(
      accessKey(id),
      ACCESS_TTL_MS,
      async () => {
        const row = await repo.accessWithOwner(this.db, id);
        return row ?? null;
      },
    );
    return hit ?? undefined;
  }

  async sections(viewer: Principal, boardId: string, pageSize: number, bookmark?: string) {
    await this.authorize(viewer, boardId, 'read');
    const scope = `sections:${boardId}`;
    const after = bookmark ? String(this.bookmarks.decode(scope, bookmark)[0]) : undefined;
    const rows = await repo.sections(this.db, boardId, after, pageSize + 1);
    return this.bookmarks.page(scope, rows, pageSize, (last) => [last.id]);
  }

  async createSection(viewer: Principal, boardId: string, name: string) {
    const id = await this.ids.next('section');
    await this.db.transaction().execute(async (trx) => {
      await this.authorize(viewer, boardId, 'write', trx);
      try {
        await repo.insertSection(trx, { id, board_id: boardId, name: name.trim() || name });
      } catch (err) {
        if (isUniqueViolation(err))
          throw new Conflict('Board section conflict: the board already has a section with that name.');
        throw err;
      }
    });
    return { id, name: name.trim() || name };
  }

  async renameSection(viewer: Principal, boardId: string, sectionId: string, name: string) {
    await this.db.transaction().execute(async (trx) => {
      await this.authorize(viewer, boardId, 'write', trx);
      try {
        if (!(await repo.renameSection(trx, boardId, sectionId, name.trim() || name)))
          throw sectionNotFound();
      } catch (err) {
        if (isUniqueViolation(err))
          throw new Conflict('Board section conflict: the board already has a section with that name.');
        throw err;
      }
    });
    return { id: sectionId, name: name.trim() || name };
  }

  /** Deletes a section; its pins stay on the board, outside any section. */
  async deleteSection(viewer: Principal, boardId: string, sectionId: string) {
    const after = await this.db.transaction().execute(async (trx) => {
      await this.authorize(viewer, boardId, 'write', trx);
      const after = await this.pins.emptySection(trx, boardId, sectionId);
      if (!(await repo.deleteSection(trx, boardId, sectionId))) throw sectionNotFound();
      return after;
    });
    await after();
  }

  /** Records that the board's pins changed (its `board_pins_modified_at`). */
  async pinsChanged(db: Db, boardId: string): Promise<void> {
    await repo.touch(db, boardId);
  }

  /** Checks that the section belongs to the board the viewer may read (for listing its pins). */
  async requireSection(
    viewer: Principal,
    boardId: string,
    sectionId: string,
    action: 'read' | 'write',
    db: Db = this.db,
  ) {
    await this.authorize(viewer, boardId, action, db);
    const section = await repo.section(db, boardId, sectionId);
    if (!section) throw sectionNotFound();
    return section;
  }
}

/** The fields a board update may set, and only those that were given. */
function writable(patch: Partial<Omit<BoardInput, 'is_ads_only'>>) {
  const out: { name?: string; description?: string | null; privacy?: Privacy } = {};
  if (patch.name !== undefined) out.name = patch.name;
  if (patch.description !== undefined) out.description = patch.description;
  if (patch.privacy !== undefined) out.privacy = patch.privacy;
  return out;
}

/** A board list's bookmark read back into its (position, id) cursor; a malformed one is a 400. */
function boardPosition(cursor: readonly unknown[]): BoardPosition {
  const [position, id] = cursor;
  if (
    cursor.length !== 2 ||
    !(position === null || (typeof position === 'number' && Number.isInteger(position))) ||
    typeof id !== 'string' ||
    !/^\d{1,19}$/.test(id)
  ) {
    throw new Invalid('Invalid bookmark: pass the bookmark value from a previous page unchanged.');
  }
  return { position, id };
}

function sectionNotFound(): NotFound {
  return new NotFound('Board section not found.', 4104);
}
