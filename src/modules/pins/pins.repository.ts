import { sql } from 'kysely';
import type { Db } from '../../platform/db/database.js';
import type { Privacy } from '../../platform/db/schema.js';
import { privacyIn } from '../boards/index.js';
import type { ImageRecord } from './images.service.js';

export interface PinRow {
  id: string;
  owner_id: string;
  board_id: string;
  section_id: string | null;
  parent_pin_id: string | null;
  title: string | null;
  description: string | null;
  alt_text: string | null;
  link: string | null;
  dominant_color: string | null;
  media_type: string;
  created_at: Date;
  board_privacy: Privacy;
  board_owner_id: string;
  board_owner_username: string;
}

function pinsWithBoard(db: Db) {
  return db
    .selectFrom('pins as p')
    .innerJoin('boards as b', 'b.id', 'p.board_id')
    .innerJoin('users as u', 'u.id', 'b.owner_id')
    .select([
      'p.id',
      'p.owner_id',
      'p.board_id',
      'p.section_id',
      'p.parent_pin_id',
      'p.title',
      'p.description',
      'p.alt_text',
      'p.link',
      'p.dominant_color',
      'p.media_type',
      'p.created_at',
      'b.privacy as board_privacy',
      'b.owner_id as board_owner_id',
      'u.username as board_owner_username',
    ]);
}

export interface PinImageLink {
  image_id: string;
  title: string | null;
  description: string | null;
  link: string | null;
}

export interface PinImage {
  image: ImageRecord;
  title: string | null;
  description: string | null;
  link: string | null;
}

export interface PinListFilter {
  ownerId?: string;
  boardId?: string;
  sectionId?: string;
  privacies?: Privacy[];
  excludeRepins?: boolean;
  excludeNative?: boolean;
}

/** Reads and writes pins and their image links. */
export const pinsRepository = {
  byId(db: Db, id: string): Promise<PinRow | undefined> {
    return pinsWithBoard(db).where('p.id', '=', id).executeTakeFirst();
  },

  byIds(db: Db, ids: readonly string[]): Promise<PinRow[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return pinsWithBoard(db)
      .where('p.id', 'in', [...ids])
      .execute();
  },

  /** Pins matching the filter, newest first (IDs grow with time), after the cursor id. */
  list(db: Db, f: PinListFilter, afterId: string | undefined, limit: number): Promise<PinRow[]> {
    let q = pinsWithBoard(db);
    if (f.ownerId) q = q.where('p.owner_id', '=', f.ownerId);
    if (f.boardId) q = q.where('p.board_id', '=', f.boardId);
    if (f.sectionId) q = q.where('p.section_id', '=', f.sectionId);
    if (f.privacies) q = q.$call(privacyIn('b', f.privacies));
    if (f.excludeRepins) q = q.where('p.parent_pin_id', 'is', null);
    if (f.excludeNative) q = q.where('p.parent_pin_id', 'is not', null);
    if (afterId) q = q.where('p.id', '<', afterId);
    return q.orderBy('p.id', 'desc').limit(limit).execute();
  },

  /** Ids of the pins of a board (or section), newest first, after the cursor id: an index-only scan. */
  async listIds(
    db: Db,
    f: { boardId: string; sectionId?: string },
    afterId: string | undefined,
    limit: number,
  ) {
    let q = db.selectFrom('pins').select('id').where('board_id', '=', f.boardId);
    if (f.sectionId) q = q.where('section_id', '=', f.sectionId);
    if (afterId) q = q.where('id', '<', afterId);
    return (await q.orderBy('id', 'desc').limit(limit).execute()).map((r) => r.id);
  },

  /** Takes every pin out of the section; returns their ids. */
  async clearSection(db: Db, boardId: string, sectionId: string) {
    const rows = await db
      .updateTable('pins')
      .set({ section_id: null })
      .where('board_id', '=', boardId)
      .where('section_id', '=', sectionId)
      .returning('id')
      .execute();
    return rows.map((r) => r.id);
  },

  async insert(
    db: Db,
    row: Omit<PinRow, 'created_at' | 'board_privacy' | 'board_owner_id' | 'board_owner_username'>,
  ) {
    await db.insertInto('pins').values(row).execute();
  },

  async linkImages(db: Db, pinId: string, items: PinImageLink[]) {
    if (items.length === 0) return;
    await db
      .insertInto('pin_images')
      .values(items.map((item, position) => ({ pin_id: pinId, position, ...item })))
      .execute();
  },

  /** A pin's image links, to share them with a pin saved from it. */
  imageLinks(db: Db, pinId: string): Promise<PinImageLink[]> {
    return db
      .selectFrom('pin_images')
      .select(['image_id', 'title', 'description', 'link'])
      .where('pin_id', '=', pinId)
      .orderBy('position')
      .execute();
  },

  /** The first image of each board's newest `perBoard` pins, newest first. */
  async latestImages(db: Db, boardIds: readonly string[], perBoard: number) {
    if (boardIds.length === 0) return [];
    const { rows } = await sql<ImageRecord & { board_id: string }>`
      select b.id::text as board_id, i.id, i.key, i.status, i.dominant_color, i.variants
        from unnest(${sql.val([...boardIds])}::bigint[]) as b(id)
        cross join lateral (
          select pi.image_id, p.id as pin_id from pins p
            join pin_images pi on pi.pin_id = p.id and pi.position = 0
           where p.board_id = b.id order by p.id desc limit ${perBoard}
        ) x
        join images i on i.id = x.image_id
       order by b.id, x.pin_id desc`.execute(db);
    return rows;
  },

  /** Images of each pin, in position order. */
  async imagesOf(db: Db, pinIds: string[]): Promise<Map<string, PinImage[]>> {
    const out = new Map<string, PinImage[]>();
    if (pinIds.length === 0) return out;
    const rows = await db
      .selectFrom('pin_images as pi')
      .innerJoin('images as i', 'i.id', 'pi.image_id')
      .select([
        'pi.pin_id',
        'pi.title',
        'pi.description',
        'pi.link',
        'i.id',
        'i.key',
        'i.status',
        'i.dominant_color',
        'i.variants',
      ])
      .where('pi.pin_id', 'in', pinIds)
      .orderBy('pi.pin_id')
      .orderBy('pi.position')
      .execute();
    for (const r of rows) {
      const list = out.get(r.pin_id) ?? [];
      list.push({
        image: {
          id: r.id,
          key: r.key,
          status: r.status,
          dominant_color: r.dominant_color,
          variants: r.variants,
        },
        title: r.title,
        description: r.description,
        link: r.link,
      });
      out.set(r.pin_id, list);
    }
    return out;
  },

  async update(
    db: Db,
    id: string,
    patch: Partial<Pick<PinRow, 'title' | 'description' | 'link' | 'alt_text' | 'board_id' | 'section_id'>>,
  ) {
    if (Object.keys(patch).length === 0) return;
    await db.updateTable('pins').set(patch).where('id', '=', id).execute();
  },

  async delete(db: Db, id: string) {
    await db.deleteFrom('pins').where('id', '=', id).execute();
  },
};
