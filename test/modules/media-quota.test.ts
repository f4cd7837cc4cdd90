import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { BmffWalker } from '../../src/modules/media/bmff-boxes.js';
import { MediaService, mediaModuleWith, readUpload } from '../../src/modules/media/index.js';
import { startTestApp } from '../helpers/app.js';
import { makeUser, type TestUser } from '../helpers/factories.js';
import { fakeMp4, form } from '../helpers/media.js';

// Per-person limits on media uploads, the expiry of unused ones, and the MP4 box walk.

const CAP = 4096;
const QUOTA = 1000;
const PENDING_MAX = 3;
const TTL_MS = 60 * 60_000;

const media = mediaModuleWith({
  maxUploadBytes: CAP,
  quotaBytes: QUOTA,
  pendingMax: PENDING_MAX,
  unusedTtlMs: TTL_MS,
});
let app: App;
let service: MediaService;

beforeAll(async () => {
  app = await startTestApp({ modules: [media] });
  const d = app.deps;
  service = new MediaService(d.db, d.ids, d.bookmarks, d.blobs, d.log, {
    publicUrl: app.config.publicUrl,
    maxUploadBytes: CAP,
    quotaBytes: QUOTA,
    pendingMax: PENDING_MAX,
    unusedTtlMs: TTL_MS,
  });
});

interface Registered {
  media_id: string;
  upload_url: string;
  upload_parameters: Record<string, string>;
}

async function registerRes(user: TestUser) {
  return app.http.inject({
    method: 'POST',
    url: '/v5/media',
    headers: await user.auth(),
    payload: { media_type: 'video' },
  });
}

async function register(user: TestUser): Promise<Registered> {
  const res = await registerRes(user);
  expect(res.statusCode).toBe(201);
  return res.json();
}

async function upload(reg: Registered, bytes: Buffer) {
  const body = form(reg.upload_parameters, { bytes });
  return app.http.inject({
    method: 'POST',
    url: new URL(reg.upload_url).pathname,
    headers: body.headers,
    payload: body.payload,
  });
}

async function row(id: string) {
  return app.deps.db
    .selectFrom('media_uploads')
    .select(['status', 'used_at'])
    .where('id', '=', id)
    .executeTakeFirst();
}

async function rowCount(userId: string) {
  const r = await app.deps.db
    .selectFrom('media_uploads')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** Moves an upload's last change back in time, as if it had sat unused that long. */
async function age(id: string, ms: number) {
  await app.deps.db
    .updateTable('media_uploads')
    .set({ updated_at: new Date(Date.now() - ms) })
    .where('id', '=', id)
    .execute();
}

/** A size of `n` bytes for fakeMp4: its ftyp and free box headers take 32. */
const mp4Of = (n: number) => fakeMp4(n - 32);

describe('media upload quota', () => {
  it('refuses a registration past the pending limit with 429, writing nothing', async () => {
    const user = await makeUser(app);
    const regs = [];
    for (let i = 0; i < PENDING_MAX; i++) regs.push(await register(user));
    const res = await registerRes(user);
    expect(res.statusCode).toBe(429);
    expect(res.json()).toEqual({ code: 8, message: expect.stringContaining(`limit is ${PENDING_MAX}`) });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(await rowCount(user.id)).toBe(PENDING_MAX);
    // Uploading one frees its place.
    expect((await upload(regs[0]!, mp4Of(100))).statusCode).toBe(204);
    expect((await registerRes(user)).statusCode).toBe(201);
  });

  it('refuses an upload that would take unused bytes over the quota with 413 and keeps nothing', async () => {
    const user = await makeUser(app);
    const first = await register(user);
    expect((await upload(first, mp4Of(600))).statusCode).toBe(204);
    const second = await register(user);
    const res = await upload(second, mp4Of(600));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ code: 413, message: expect.stringContaining(`quota of ${QUOTA} bytes`) });
    expect((await row(second.media_id))?.status).toBe('failed');
    expect(await readUpload(app.deps.blobs, second.media_id)).toBeUndefined();
    expect(await app.deps.blobs.get(`media/${second.media_id}/parts/00000`)).toBeUndefined();
    // What still fits is taken: 600 + 400 is exactly the quota.
    const third = await register(user);
    expect((await upload(third, mp4Of(400))).statusCode).toBe(204);
    // With the quota full, an upload is refused before its token is spent: it stays registered.
    const fourth = await register(user);
    const full = await upload(fourth, mp4Of(40));
    expect(full.statusCode).toBe(413);
    expect((await row(fourth.media_id))?.status).toBe('registered');
  });

  it('stops counting an upload once a pin has used it', async () => {
    const user = await makeUser(app);
    const big = await register(user);
    expect((await upload(big, mp4Of(900))).statusCode).toBe(204);
    const next = await register(user);
    expect((await upload(next, mp4Of(900))).statusCode).toBe(413);
    expect(await service.markUsed(app.deps.db, big.media_id, user.id)).toBe(true);
    expect(await service.markUsed(app.deps.db, big.media_id, user.id)).toBe(false);
    const other = await makeUser(app);
    expect(await service.markUsed(app.deps.db, next.media_id, other.id)).toBe(false);
    const again = await register(user);
    expect((await upload(again, mp4Of(900))).statusCode).toBe(204);
  });
});

describe('expiry of unused uploads', () => {
  it('deletes old unused registrations and uploads with their blobs, and never a used one', async () => {
    const user = await makeUser(app);
    const neverUploaded = await register(user);
    const unused = await register(user);
    expect((await upload(unused, mp4Of(100))).statusCode).toBe(204);
    const used = await register(user);
    expect((await upload(used, mp4Of(100))).statusCode).toBe(204);
    expect(await service.markUsed(app.deps.db, used.media_id, user.id)).toBe(true);
    const failed = await register(user);
    expect((await upload(failed, Buffer.from('not a video at all, just some text'))).statusCode).toBe(400);
    const fresh = await register(user);
    expect((await upload(fresh, mp4Of(100))).statusCode).toBe(204);
    for (const r of [neverUploaded, unused, used, failed]) await age(r.media_id, TTL_MS + 60_000);

    const [task] = media.periodic!(app.deps);
    expect(task?.name).toBe('media.expire');
    await task!.run();

    for (const r of [neverUploaded, unused, failed]) expect(await row(r.media_id)).toBeUndefined();
    expect(await readUpload(app.deps.blobs, unused.media_id)).toBeUndefined();
    expect(await app.deps.blobs.get(`media/${unused.media_id}/parts/00000`)).toBeUndefined();
    expect((await row(used.media_id))?.status).toBe('succeeded');
    expect(await readUpload(app.deps.blobs, used.media_id)).toBeDefined();
    expect((await row(fresh.media_id))?.status).toBe('succeeded');
    expect(await readUpload(app.deps.blobs, fresh.media_id)).toBeDefined();
    // The owner sees them gone.
    const gone = await app.http.inject({
      method: 'GET',
      url: `/v5/media/${unused.media_id}`,
      headers: await user.auth(),
    });
    expect(gone.statusCode).toBe(404);

    // A used upload stays however old it gets.
    await age(used.media_id, 100 * TTL_MS);
    await service.expireUnused(new Date(Date.now() + 100 * TTL_MS));
    expect((await row(used.media_id))?.status).toBe('succeeded');
    expect(await readUpload(app.deps.blobs, used.media_id)).toBeDefined();
    expect(await row(fresh.media_id)).toBeUndefined();
  });

  it('leaves an upload still arriving alone until it is stale', async () => {
    const user = await makeUser(app);
    const reg = await register(user);
    await app.deps.db
      .updateTable('media_uploads')
      .set({ status: 'processing' })
      .where('id', '=', reg.media_id)
      .execute();
    await age(reg.media_id, TTL_MS + 60_000);
    await service.expireUnused();
    expect((await row(reg.media_id))?.status).toBe('processing');
    await age(reg.media_id, 7 * 3600_000);
    await service.expireUnused();
    expect(await row(reg.media_id)).toBeUndefined();
  });

  it('no longer counts an expired upload against the quota', async () => {
    const user = await makeUser(app);
    const old = await register(user);
    expect((await upload(old, mp4Of(900))).statusCode).toBe(204);
    await age(old.media_id, TTL_MS + 60_000);
    expect((await upload(await register(user), mp4Of(900))).statusCode).toBe(204);
  });
});

describe('MP4/MOV uploads must be whole', () => {
  /** A box of the given type around `body`; `large` writes the 64-bit size form. */
  function box(type: string, body: Buffer, large = false): Buffer {
    const head = Buffer.alloc(large ? 16 : 8);
    head.writeUInt32BE(large ? 1 : 8 + body.length, 0);
    head.write(type, 4, 'latin1');
    if (large) head.writeBigUInt64BE(BigInt(16 + body.length), 8);
    return Buffer.concat([head, body]);
  }
  const ftyp = fakeMp4(0).subarray(0, 24);

  it('refuses a truncated MP4 and one with bytes after its last box, with 400 and nothing kept', async () => {
    const user = await makeUser(app);
    const whole = Buffer.concat([ftyp, box('moov', Buffer.alloc(40, 1)), box('mdat', Buffer.alloc(200, 2))]);
    for (const bad of [
      whole.subarray(0, whole.length - 10),
      whole.subarray(0, ftyp.length + 4),
      Buffer.concat([whole, Buffer.from('trailing junk')]),
      Buffer.concat([ftyp, Buffer.alloc(300, 0xff)]),
    ]) {
      const reg = await register(user);
      const res = await upload(reg, bad);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ code: 1, message: expect.stringContaining('not a whole MP4/MOV') });
      expect(await readUpload(app.deps.blobs, reg.media_id)).toBeUndefined();
    }
    expect((await upload(await register(user), whole)).statusCode).toBe(204);
  });

  it('accepts 64-bit box sizes and a last box that runs to the end', async () => {
    const user = await makeUser(app);
    const large = Buffer.concat([ftyp, box('mdat', Buffer.alloc(100, 3), true)]);
    expect((await upload(await register(user), large)).statusCode).toBe(204);
    const toEnd = Buffer.concat([ftyp, Buffer.from([0, 0, 0, 0]), Buffer.from('mdat'), Buffer.alloc(90, 4)]);
    expect((await upload(await register(user), toEnd)).statusCode).toBe(204);
  });

  it('walks the same however the bytes are split into chunks', () => {
    const file = Buffer.concat([ftyp, box('moov', Buffer.alloc(30, 1), true), box('mdat', Buffer.alloc(50))]);
    for (const step of [1, 3, 7, 16, file.length]) {
      const walker = new BmffWalker();
      for (let at = 0; at < file.length; at += step) walker.push(file.subarray(at, at + step));
      expect({ step, problem: walker.finish() }).toEqual({ step, problem: undefined });
      const cut = new BmffWalker();
      for (let at = 0; at < file.length - 1; at += step)
        cut.push(file.subarray(at, Math.min(at + step, file.length - 1)));
      expect(cut.finish()).toMatch(/truncated/);
    }
  });
});
