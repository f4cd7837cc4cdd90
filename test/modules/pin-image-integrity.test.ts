import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { ImagesService } from '../../src/modules/pins/index.js';
import type { BlobStore } from '../../src/platform/images/blob-store.js';
import type { JobContext } from '../../src/platform/jobs/types.js';
import { eventually, startTestApp } from '../helpers/app.js';
import { countRows, makeBoard, makeUser, type TestUser } from '../helpers/factories.js';
import { makeImage } from '../helpers/images.js';

// Images that lose their tail: as base64 and behind URLs whose server stalls, hangs up or stops early.

let app: App;
let alice: TestUser;
let board: { id: string };
let base: string;
let eofBase: string;
const images: Record<string, Buffer> = {};
const servers: (http.Server | net.Server)[] = [];

const FETCH_TIMEOUT_MS = 300;

async function listen<S extends http.Server | net.Server>(server: S): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  const picture = await makeImage({ width: 200, height: 150 });
  images.png = picture;
  images.jpeg = await sharp(picture).jpeg().toBuffer();
  images.webp = await sharp(picture).webp().toBuffer();
  images.gif = await sharp(picture).gif().toBuffer();
  const png = images.png;
  const half = png.subarray(0, Math.floor(png.length / 2));

  base = await listen(
    http.createServer((req, res) => {
      if (req.url === '/whole.png') return void res.writeHead(200, { 'content-type': 'image/png' }).end(png);
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': String(png.length) });
      // Half the declared body, then: nothing more (a stall past the fetch timeout), or a hang-up.
      if (req.url === '/stall.png') return void res.write(half);
      if (req.url === '/hang-up.png') return void res.write(half, () => res.socket?.destroy());
      res.end();
    }),
  );
  // No Content-Length and no chunking: the body ends when the connection does, so half a file looks
  // whole to HTTP and only the image check can tell.
  eofBase = await listen(
    net.createServer((socket) => {
      socket.once('data', () => {
        socket.write('HTTP/1.1 200 OK\r\ncontent-type: image/png\r\nconnection: close\r\n\r\n');
        socket.end(half);
      });
    }),
  );
  const hosts = [new URL(base).host, new URL(eofBase).host].join(',');
  app = await startTestApp({
    env: { FETCH_ALLOW_HOSTS: hosts, FETCH_TIMEOUT_MS: String(FETCH_TIMEOUT_MS) },
  });
  alice = await makeUser(app);
  board = await makeBoard(app, alice);
});

afterAll(async () => {
  for (const s of servers) {
    if (s instanceof http.Server) s.closeAllConnections();
    await new Promise((resolve) => s.close(resolve));
  }
});

async function rows() {
  return { pins: await countRows(app, 'pins'), images: await countRows(app, 'images') };
}

async function createPin(mediaSource: Record<string, unknown>) {
  return app.http.inject({
    method: 'POST',
    url: '/v5/pins',
    headers: await alice.auth(),
    payload: { board_id: board.id, media_source: mediaSource },
  });
}

/** Cut points: early, middle, late, and just the last bytes (PNG's IEND chunk, GIF's trailer, JPEG's EOI). */
function cuts(length: number): number[] {
  return [
    Math.floor(length * 0.25),
    Math.floor(length / 2),
    Math.floor(length * 0.95),
    length - 12,
    length - 1,
  ];
}

describe('a truncated image is refused with 400 and nothing is written', () => {
  for (const format of ['png', 'jpeg', 'webp', 'gif'] as const) {
    it(`base64 ${format} cut at several points`, async () => {
      const whole = images[format]!;
      // The spec's enum has only these two; the bytes decide the format either way.
      const contentType = format === 'jpeg' ? 'image/jpeg' : 'image/png';
      const before = await rows();
      for (const cut of cuts(whole.length)) {
        const res = await createPin({
          source_type: 'image_base64',
          content_type: contentType,
          data: whole.subarray(0, cut).toString('base64'),
        });
        expect({ cut, status: res.statusCode }).toEqual({ cut, status: 400 });
        expect(res.json()).toEqual({ code: 1, message: expect.stringContaining('media_source.data') });
      }
      expect(await rows()).toEqual(before);
      // The whole file is fine.
      const ok = await createPin({
        source_type: 'image_base64',
        content_type: contentType,
        data: whole.toString('base64'),
      });
      expect(ok.statusCode).toBe(201);
    });
  }

  it('a URL whose server sends half the body and then stalls past the fetch timeout', async () => {
    const before = await rows();
    const started = Date.now();
    const res = await createPin({ source_type: 'image_url', url: `${base}/stall.png` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 1, message: expect.stringContaining('took too long') });
    expect(Date.now() - started).toBeLessThan(FETCH_TIMEOUT_MS + 2000);
    expect(await rows()).toEqual(before);
  });

  it('a URL whose server hangs up before the declared Content-Length', async () => {
    const before = await rows();
    const res = await createPin({ source_type: 'image_url', url: `${base}/hang-up.png` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 1, message: expect.any(String) });
    expect(await rows()).toEqual(before);
  });

  it('a URL whose body ends with the connection, half an image in', async () => {
    const before = await rows();
    const res = await createPin({ source_type: 'image_url', url: `${eofBase}/cut.png` });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 1, message: expect.stringContaining('not an image') });
    expect(await rows()).toEqual(before);
    expect((await createPin({ source_type: 'image_url', url: `${base}/whole.png` })).statusCode).toBe(201);
  });
});

describe('the image job never leaves an image pending', () => {
  async function storeRaw(service: ImagesService, bytes: Buffer): Promise<string> {
    const id = await app.deps.db
      .transaction()
      .execute((trx) => service.store(trx, { bytes, sourceUrl: null }));
    app.deps.eventsCommitted();
    return id;
  }

  async function statusOf(id: string) {
    return (
      await app.deps.db
        .selectFrom('images')
        .select(['status', 'error'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow()
    ).status;
  }

  it('fails a truncated image that got past the intake (half a PNG, a PNG without IEND)', async () => {
    const service = new ImagesService(app.deps.blobs, app.deps.ids, app.config);
    const png = images.png!;
    for (const bytes of [png.subarray(0, png.length >> 1), png.subarray(0, png.length - 12)]) {
      const id = await storeRaw(service, bytes);
      expect(await eventually(async () => ((await statusOf(id)) !== 'pending' ? statusOf(id) : null))).toBe(
        'failed',
      );
    }
  });

  it('marks an image failed on the last attempt when processing keeps faulting', async () => {
    const broken: BlobStore = {
      put: async (key, bytes, type) => {
        if (key.startsWith('images/')) throw new Error('disk full');
        await app.deps.blobs.put(key, bytes, type);
      },
      get: (key) => app.deps.blobs.get(key),
      delete: (prefix) => app.deps.blobs.delete(prefix),
    };
    const service = new ImagesService(broken, app.deps.ids, { ...app.config, jobMaxAttempts: 3 });
    // Stored without an event the running job system would see: this test delivers by hand.
    const id = await app.deps.db.transaction().execute(async (trx) => {
      const imageId = await service.store(trx, { bytes: images.png!, sourceUrl: null });
      await trx.deleteFrom('outbox').where(sql<string>`payload->>'imageId'`, '=', imageId).execute();
      return imageId;
    });
    const deliver = (attempt: number) =>
      app.deps.db.transaction().execute((trx) =>
        service.consumer().handle({ imageId: id }, {
          trx,
          attempt,
          eventId: '1',
          topic: 'image.stored',
          log: app.deps.log,
          afterCommit: () => {},
        } satisfies JobContext<'image.stored'>),
      );
    await expect(deliver(1)).rejects.toThrow('disk full');
    expect(await statusOf(id)).toBe('pending');
    await deliver(3);
    expect(await statusOf(id)).toBe('failed');
  });
});
