import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { fromUrl } from '../../src/modules/pins/image-intake.js';
import { ownImageBlobKey } from '../../src/modules/pins/own-media.js';
import { Invalid, PayloadTooLarge } from '../../src/platform/errors.js';
import type { BlobStore, StoredBlob } from '../../src/platform/images/blob-store.js';
import { eventually, startTestApp } from '../helpers/app.js';
import { makeBoard, makeUser, type TestUser } from '../helpers/factories.js';
import { makeImage } from '../helpers/images.js';

// A loopback PUBLIC_URL: fetched over the network, Corkboard's own image URLs are a private address.
const PUBLIC_URL = 'http://127.0.0.1:8080';
const KEY = '0123456789abcdef0123456789abcdef';

let app: App;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  app = await startTestApp({ env: { PUBLIC_URL } });
  alice = await makeUser(app);
  bob = await makeUser(app);
});

async function call(user: TestUser, method: 'GET' | 'POST', url: string, payload?: object) {
  return app.http.inject({ method, url, headers: await user.auth(), ...(payload ? { payload } : {}) });
}

type Sizes = Record<string, { url: string; width: number; height: number }>;

/** A pin of `user` from base64 PNG bytes, once its image is processed. */
async function readyPin(user: TestUser, boardId: string, png: Buffer): Promise<{ id: string; sizes: Sizes }> {
  const res = await call(user, 'POST', '/v5/pins', {
    board_id: boardId,
    media_source: { source_type: 'image_base64', content_type: 'image/png', data: png.toString('base64') },
  });
  expect(res.statusCode).toBe(201);
  return ready(user, res.json().id);
}

async function ready(user: TestUser, id: string): Promise<{ id: string; sizes: Sizes }> {
  const pin = await eventually(async () => {
    const got = (await call(user, 'GET', `/v5/pins/${id}`)).json();
    return got.media.images?.['1200x'] ? got : undefined;
  });
  return { id, sizes: pin.media.images };
}

/** The stored image row of a pin's first image. */
async function imageOf(pinId: string) {
  return app.deps.db
    .selectFrom('pin_images')
    .innerJoin('images', 'images.id', 'pin_images.image_id')
    .select(['images.width', 'images.height', 'images.source_url', 'images.dhash', 'images.status'])
    .where('pin_images.pin_id', '=', pinId)
    .where('pin_images.position', '=', 0)
    .executeTakeFirstOrThrow();
}

async function counts() {
  const n = async (table: 'pins' | 'images') =>
    Number(
      (
        await app.deps.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return { pins: await n('pins'), images: await n('images') };
}

describe("pins from Corkboard's own image URLs", () => {
  it('makes a pin from every size the file route serves, the original included, reading the stored file', async () => {
    const board = await makeBoard(app, alice);
    const source = await readyPin(
      alice,
      board.id,
      await makeImage({ width: 640, height: 480, color: '#228833' }),
    );
    const sourceImage = await imageOf(source.id);
    const urls: [string, string, number, number][] = Object.entries(source.sizes).map(([name, s]) => [
      name,
      s.url,
      s.width,
      s.height,
    ]);
    // The original is served beside the sizes (a PNG stays a PNG).
    const originals = source.sizes['600x']!.url.replace(/[^/]+$/, 'originals.png');
    expect((await app.http.inject({ method: 'GET', url: new URL(originals).pathname })).statusCode).toBe(200);
    urls.push(['originals', originals, 640, 480]);
    expect(urls.map(([name]) => name).sort()).toEqual(['1200x', '150x150', '400x300', '600x', 'originals']);

    const target = await makeBoard(app, bob);
    for (const [name, url, width, height] of urls) {
      expect(url.startsWith(`${PUBLIC_URL}/media/images/`)).toBe(true);
      const res = await call(bob, 'POST', '/v5/pins', {
        board_id: target.id,
        media_source: { source_type: 'image_url', url },
      });
      expect(res.statusCode, `${name}: ${res.body}`).toBe(201);
      const copy = await ready(bob, res.json().id);
      // The copy's picture is the file the URL names: its size, and the same picture as the source's.
      const image = await imageOf(copy.id);
      expect(image, name).toMatchObject({ status: 'ready', width, height, source_url: url });
      if (name === 'originals' || name === '600x' || name === '1200x')
        expect(image.dhash).toBe(sourceImage.dhash);
    }
  });

  it('copies a board pin by pin the way a copy script does: list, then create each from its image URL', async () => {
    const board = await makeBoard(app, alice);
    const colours = ['#aa0000', '#00aa00', '#0000aa', '#aaaa00'];
    for (const color of colours)
      await readyPin(alice, board.id, await makeImage({ color, width: 300, height: 200 }));

    const listed = await call(alice, 'GET', `/v5/boards/${board.id}/pins?page_size=25`);
    expect(listed.statusCode).toBe(200);
    const items = listed.json().items as { title: string | null; media: { images: Sizes } }[];
    expect(items).toHaveLength(colours.length);
    const copyBoard = await makeBoard(app, bob);
    for (const item of items) {
      const res = await call(bob, 'POST', '/v5/pins', {
        board_id: copyBoard.id,
        media_source: { source_type: 'image_url', url: item.media.images['1200x']!.url },
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const copied = await call(bob, 'GET', `/v5/boards/${copyBoard.id}/pins?page_size=25`);
    expect(copied.json().items).toHaveLength(items.length);
  });

  it('refuses every other URL as before (another origin, a lookalike host, other paths, encodings, a missing file), writing nothing', async () => {
    const board = await makeBoard(app, alice);
    const source = await readyPin(alice, board.id, await makeImage({ color: '#553311' }));
    const good = source.sizes['600x']!.url;
    const key = new URL(good).pathname.split('/')[3]!;
    const path = `/media/images/${key}/600x.jpg`;
    const refused = [
      `http://127.0.0.2:8080${path}`, // another loopback address
      `http://127.0.0.1:8081${path}`, // another port
      `https://127.0.0.1:8080${path}`, // another scheme
      `http://localhost:8080${path}`, // the same machine by another name
      `http://127.0.0.1.invalid:8080${path}`, // a lookalike host
      `http://127.0.0.1:8080@127.0.0.2${path}`, // credentials then another host
      `http://user@127.0.0.1:8080${path}`, // credentials
      `http://127.0.0.1:8080/v5/pins`, // another path on the same origin
      `http://127.0.0.1:8080/media/../media/images/${key}/600x.jpg`, // dot segments
      `http://127.0.0.1:8080/media/images/x/../${key}/600x.jpg`,
      `http://127.0.0.1:8080/media/images/%2e%2e/images/${key}/600x.jpg`,
      `http://127.0.0.1:8080/media/images/${key}%2F600x.jpg`, // an encoded slash
      `http://127.0.0.1:8080/media/images/${key}/600x%2Ejpg`,
      `http://127.0.0.1:8080/media/images/${key}/..%2F..%2Fraw%2F${key}`,
      `http://127.0.0.1:8080/media/images/${key}/600x.jpg?x=1`, // a query
      `http://127.0.0.1:8080/media/images/${key}/600x.jpg#top`,
      `http://127.0.0.1:8080/media/images/${key.toUpperCase()}/600x.jpg`,
      `http://127.0.0.1:8080/media/images/${key}/600x.jpg/extra`,
      `http://127.0.0.1:8080/media/raw/${key}`,
      `http://127.0.0.1:8080/media/images/${KEY}/600x.jpg`, // no such image
      `http://127.0.0.1:8080/media/images/${key}/9999x.jpg`, // no such size
    ];
    const before = await counts();
    for (const url of refused) {
      const res = await call(bob, 'POST', '/v5/pins', {
        board_id: (await makeBoard(app, bob)).id,
        media_source: { source_type: 'image_url', url },
      });
      expect(res.statusCode, url).toBe(400);
      expect(res.json(), url).toMatchObject({ code: expect.any(Number), message: expect.any(String) });
    }
    expect(await counts()).toEqual(before);
  });
});

describe('ownImageBlobKey', () => {
  it('names the blob of an image URL under PUBLIC_URL, and nothing else', () => {
    const file = (f: string) => `images/${KEY}/${f}`;
    expect(ownImageBlobKey(`${PUBLIC_URL}/media/images/${KEY}/600x.jpg`, PUBLIC_URL)).toBe(file('600x.jpg'));
    expect(ownImageBlobKey(`${PUBLIC_URL}/media/images/${KEY}/originals.webp`, PUBLIC_URL)).toBe(
      file('originals.webp'),
    );
    // Origins are compared parsed: a default port written out, or an upper-case host, is the same origin.
    expect(
      ownImageBlobKey(
        `https://pins.example.com:443/media/images/${KEY}/1200x.jpg`,
        'https://pins.example.com',
      ),
    ).toBe(file('1200x.jpg'));
    expect(
      ownImageBlobKey(`http://PINS.example.com/media/images/${KEY}/1200x.jpg`, 'http://pins.example.com'),
    ).toBe(file('1200x.jpg'));
    // PUBLIC_URL with a base path: the image path is under it, and only there.
    const based = 'https://example.com/corkboard';
    expect(ownImageBlobKey(`${based}/media/images/${KEY}/150x150.jpg`, based)).toBe(file('150x150.jpg'));
    expect(ownImageBlobKey(`https://example.com/media/images/${KEY}/150x150.jpg`, based)).toBeUndefined();
    for (const url of [
      `https://pins.example.com.evil.org/media/images/${KEY}/600x.jpg`,
      `http://pins.example.com/media/images/${KEY}/600x.jpg`,
      `https://pins.example.com/media/images/${KEY}/600x.jpg `,
      `https://pins.example.com/media/images/${KEY}/600x.jpg\n`,
      `https://pins.example.com\\media\\images\\${KEY}\\600x.jpg`,
      `https://pins.example.com/media/images/${KEY}/./600x.jpg`,
      `https://pins.example.com/media/images/${KEY}/600x.svg`,
      `https://pins.example.com/media/images/${KEY}/600x.jpg?`,
      `https://pins.example.com//media/images/${KEY}/600x.jpg`,
      'not a url',
    ]) {
      expect(ownImageBlobKey(url, 'https://pins.example.com'), url).toBeUndefined();
    }
  });

  it('gives the intake the stored bytes themselves, checked as fetched ones are', async () => {
    const png = await makeImage({ width: 40, height: 30 });
    const stored = new Map<string, StoredBlob>([
      [`images/${KEY}/600x.png`, { bytes: png, contentType: 'image/png' }],
      [`images/${KEY}/1200x.png`, { bytes: Buffer.from('not an image'), contentType: 'image/png' }],
    ]);
    const blobs: BlobStore = {
      get: async (key) => stored.get(key),
      put: async () => {},
      delete: async () => {},
    };
    const limits = {
      imageMaxBytes: 1_000_000,
      imageMaxPixels: 1_000_000,
      fetchTimeoutMs: 100,
      fetchAllowHosts: [],
    };
    const own = { publicUrl: PUBLIC_URL, blobs };
    const url = `${PUBLIC_URL}/media/images/${KEY}/600x.png`;
    const got = await fromUrl(url, limits, own);
    expect(got.bytes.equals(png)).toBe(true);
    expect(got.sourceUrl).toBe(url);
    await expect(fromUrl(`${PUBLIC_URL}/media/images/${KEY}/1200x.png`, limits, own)).rejects.toBeInstanceOf(
      Invalid,
    );
    await expect(fromUrl(url, { ...limits, imageMaxBytes: 10 }, own)).rejects.toBeInstanceOf(PayloadTooLarge);
  });
});
