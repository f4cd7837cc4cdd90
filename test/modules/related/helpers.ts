import sharp from 'sharp';
import type { App } from '../../../src/app.js';
import type { GraphStore, RelatedService } from '../../../src/modules/related/index.js';
import { eventually } from '../../helpers/app.js';
import { savePin, type TestUser } from '../../helpers/factories.js';

/**
 * A PNG whose structure (and so whose dHash) is its own: a 9×8 grid of seeded random greys, scaled up.
 * Plain one-colour test images all share one dHash, which would make every pin a duplicate of every other.
 */
export async function distinctImage(seed: number): Promise<string> {
  let x = (seed * 2654435761) >>> 0 || 1;
  const cells = Buffer.alloc(9 * 8);
  for (let i = 0; i < cells.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    cells[i] = (x >>> 0) % 256;
  }
  const png = await sharp(cells, { raw: { width: 9, height: 8, channels: 1 } })
    .resize(72, 64, { kernel: 'nearest' })
    .png()
    .toBuffer();
  return png.toString('base64');
}

/** The related module of an app: its service and graph store. */
export function relatedOf(app: App): { service: RelatedService; graph: GraphStore } {
  const mod = app.product.modules.find((m) => m.name === 'related') as unknown as
    | { service: RelatedService; graph: GraphStore }
    | undefined;
  if (!mod) throw new Error('the related module is not registered');
  return mod;
}

/** A served pin, as far as these tests look into it. */
export interface PinItem {
  id: string;
  board_id: string;
  board_owner: { username: string };
  impression_token?: string;
  [field: string]: unknown;
}

/** A related page, or an error body. */
export interface RelatedBody {
  items: PinItem[];
  bookmark: string | null;
  code?: number;
  message?: string;
}

export interface World {
  app: App;
  pin(
    owner: TestUser,
    boardId: string,
    opts?: { title?: string; description?: string; image?: number },
  ): Promise<string>;
  save(user: TestUser, pinId: string, boardId: string): Promise<string>;
  related(
    user: TestUser,
    pinId: string,
    query?: Record<string, string | number>,
    scopes?: readonly string[],
  ): Promise<{ status: number; body: RelatedBody }>;
}

let imageSeed = 1;

export function world(app: App): World {
  return {
    app,
    async pin(owner, boardId, opts = {}) {
      const res = await app.http.inject({
        method: 'POST',
        url: '/v5/pins',
        headers: await owner.auth(),
        payload: {
          board_id: boardId,
          title: opts.title ?? null,
          description: opts.description ?? null,
          media_source: {
            source_type: 'image_base64',
            content_type: 'image/png',
            data: await distinctImage(opts.image ?? imageSeed++),
          },
        },
      });
      if (res.statusCode !== 201) throw new Error(`pin: ${res.statusCode} ${res.body}`);
      return res.json().id;
    },
    save: (user, pinId, boardId) => savePin(app, user, pinId, boardId),
    async related(user, pinId, query = {}, scopes) {
      const qs = new URLSearchParams(Object.entries(query).map(([k, v]): [string, string] => [k, String(v)]));
      const res = await app.http.inject({
        method: 'GET',
        url: `/v5/pins/${pinId}/related${qs.size ? `?${qs}` : ''}`,
        headers: await user.auth(scopes),
      });
      return { status: res.statusCode, body: res.json() as RelatedBody };
    },
  };
}

/** Waits until every image is processed (dHashes written). */
export async function imagesProcessed(app: App): Promise<void> {
  await eventually(async () => {
    const row = await app.deps.db
      .selectFrom('images')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('status', '=', 'pending')
      .executeTakeFirst();
    return Number(row?.n) === 0;
  }, 30_000);
}

/** Ids of a successful related page. */
export function ids(res: { status: number; body: RelatedBody }): string[] {
  if (res.status !== 200) throw new Error(`related: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.items.map((i) => i.id);
}
