import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { mediaModuleWith, readUpload } from '../../src/modules/media/index.js';
import { expectResponseMatchesSpec } from '../contract/spec.js';
import { startTestApp } from '../helpers/app.js';
import { makeUser, type TestUser } from '../helpers/factories.js';
import { fakeMp4, form, multipartBody } from '../helpers/media.js';

const CAP = 4096;

let app: App;
let alice: TestUser;
let bob: TestUser;

beforeAll(async () => {
  // The media module with a small cap, and a probe route to show multipart stays inside the module.
  app = await startTestApp({
    modules: [
      mediaModuleWith({ maxUploadBytes: CAP }),
      { name: 'probe', routes: (http) => void http.post('/probe', async (request) => request.body ?? null) },
    ],
  });
  alice = await makeUser(app);
  bob = await makeUser(app);
});

interface Registered {
  media_id: string;
  media_type: 'video';
  upload_url: string;
  upload_parameters: Record<string, string>;
}

async function register(user: TestUser): Promise<Registered> {
  const res = await app.http.inject({
    method: 'POST',
    url: '/v5/media',
    headers: await user.auth(),
    payload: { media_type: 'video' },
  });
  expect(res.statusCode).toBe(201);
  expectResponseMatchesSpec('POST', '/media', 201, res.json());
  return res.json();
}

/** Posts the form to upload_url the way the spec tells clients to: every upload parameter, then `file`. */
async function upload(
  reg: Registered,
  bytes: Buffer,
  fields: Record<string, string> = reg.upload_parameters,
) {
  const body = form(fields, { bytes });
  return app.http.inject({
    method: 'POST',
    url: new URL(reg.upload_url).pathname,
    headers: body.headers,
    payload: body.payload,
  });
}

async function getMedia(user: TestUser, id: string, scopes?: readonly string[]) {
  return app.http.inject({ method: 'GET', url: `/v5/media/${id}`, headers: await user.auth(scopes) });
}

async function statusOf(id: string): Promise<string> {
  const res = await getMedia(alice, id);
  expect(res.statusCode).toBe(200);
  expectResponseMatchesSpec('GET', '/media/{media_id}', 200, res.json());
  return res.json().status;
}

describe('media uploads', () => {
  it('registers, takes the file at upload_url with the token, and reports succeeded', async () => {
    const reg = await register(alice);
    expect(reg.media_type).toBe('video');
    expect(reg.upload_url).toBe(`${app.config.publicUrl}/v5/media/${reg.media_id}/upload`);
    expect(reg.upload_parameters.upload_token).toMatch(/^pinu_[A-Za-z0-9_-]{43}$/);
    expect(await statusOf(reg.media_id)).toBe('registered');

    // The token is stored hashed, never as sent.
    const row = await app.deps.db
      .selectFrom('media_uploads')
      .selectAll()
      .where('id', '=', reg.media_id)
      .executeTakeFirstOrThrow();
    expect(row.upload_token_hash).not.toContain(reg.upload_parameters.upload_token);

    const mp4 = fakeMp4();
    const res = await upload(reg, mp4);
    expect(res.statusCode).toBe(204);

    const got = await getMedia(alice, reg.media_id);
    expect(got.statusCode).toBe(200);
    expectResponseMatchesSpec('GET', '/media/{media_id}', 200, got.json());
    expect(got.json()).toEqual({ media_id: reg.media_id, media_type: 'video', status: 'succeeded' });

    const stored = await readUpload(app.deps.blobs, reg.media_id);
    expect(stored?.manifest).toMatchObject({ contentType: 'video/mp4', bytes: mp4.length });
    const parts: Buffer[] = [];
    for await (const part of stored!.parts) parts.push(part);
    expect(Buffer.concat(parts).equals(mp4)).toBe(true);
  });

  it('refuses a second upload with the spent token', async () => {
    const reg = await register(alice);
    expect((await upload(reg, fakeMp4())).statusCode).toBe(204);
    const again = await upload(reg, fakeMp4(128));
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 409, message: expect.stringContaining('already been used') });
    expect(await statusOf(reg.media_id)).toBe('succeeded');
  });

  it('answers 403 for a wrong or missing token and leaves the upload waiting', async () => {
    const reg = await register(alice);
    const wrong = await upload(reg, fakeMp4(), { ...reg.upload_parameters, upload_token: 'pinu_nope' });
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json()).toEqual({ code: 3, message: expect.stringContaining('upload_token') });
    const missing = await upload(reg, fakeMp4(), { 'Content-Type': 'multipart/form-data' });
    expect(missing.statusCode).toBe(403);
    expect(missing.json()).toMatchObject({ code: 3 });
    // A token sent after the file does not count (fields before the file, as with S3).
    const late = multipartBody([
      { name: 'file', bytes: fakeMp4() },
      { name: 'upload_token', value: reg.upload_parameters.upload_token! },
    ]);
    const lateRes = await app.http.inject({
      method: 'POST',
      url: new URL(reg.upload_url).pathname,
      headers: late.headers,
      payload: late.payload,
    });
    expect(lateRes.statusCode).toBe(403);
    expect(await statusOf(reg.media_id)).toBe('registered');

    expect((await upload(reg, fakeMp4())).statusCode).toBe(204);
    expect(await statusOf(reg.media_id)).toBe('succeeded');
  });

  it('marks failed an upload whose process died mid-upload, once it is long stale', async () => {
    const reg = await register(alice);
    const id = reg.media_id as string;
    await app.deps.db
      .updateTable('media_uploads')
      .set({ status: 'processing', updated_at: new Date(Date.now() - 7 * 3600 * 1000) })
      .where('id', '=', id)
      .execute();
    const res = await app.http.inject({ method: 'GET', url: `/v5/media/${id}`, headers: await alice.auth() });
    expect(res.statusCode).toBe(200);
    expect(res.json().status).toBe('failed');
    const fresh = await register(alice);
    await app.deps.db
      .updateTable('media_uploads')
      .set({ status: 'processing' })
      .where('id', '=', fresh.media_id)
      .execute();
    const still = await app.http.inject({
      method: 'GET',
      url: `/v5/media/${fresh.media_id}`,
      headers: await alice.auth(),
    });
    expect(still.json().status).toBe('processing');
  });

  it('answers 404 for an unknown media id, on upload and on read', async () => {
    const reg = await register(alice);
    const unknown = { ...reg, upload_url: reg.upload_url.replace(reg.media_id, '123456789') };
    const res = await upload(unknown, fakeMp4());
    expect(res.statusCode).toBe(404);
    expect(res.json()).toMatchObject({ code: 404, message: expect.any(String) });
    const get = await getMedia(alice, '123456789');
    expect(get.statusCode).toBe(404);
    expectResponseMatchesSpec('GET', '/media/{media_id}', 404, get.json());
  });

  it('marks a file that is not a video failed with a 400', async () => {
    const reg = await register(alice);
    const res = await upload(reg, Buffer.from('hello, I am plain text pretending to be a video file'));
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ code: 1, message: expect.stringContaining('not a video') });
    expect(await statusOf(reg.media_id)).toBe('failed');
    expect(await readUpload(app.deps.blobs, reg.media_id)).toBeUndefined();
    const row = await app.deps.db
      .selectFrom('media_uploads')
      .select(['error'])
      .where('id', '=', reg.media_id)
      .executeTakeFirstOrThrow();
    expect(row.error).toContain('not a video');
  });

  it('marks an upload over the cap failed with a 413 and keeps nothing', async () => {
    const reg = await register(alice);
    const res = await upload(reg, fakeMp4(CAP * 2));
    expect(res.statusCode).toBe(413);
    expect(res.json()).toEqual({ code: 413, message: expect.stringContaining(`${CAP} bytes`) });
    expect(await statusOf(reg.media_id)).toBe('failed');
    expect(await readUpload(app.deps.blobs, reg.media_id)).toBeUndefined();
    expect(await app.deps.blobs.get(`media/${reg.media_id}/parts/00000`)).toBeUndefined();

    // One byte over is refused; exactly the cap is fine.
    const over = await register(alice);
    expect(fakeMp4(CAP - 31).length).toBe(CAP + 1);
    expect((await upload(over, fakeMp4(CAP - 31))).statusCode).toBe(413);
    const exact = await register(alice);
    expect((await upload(exact, fakeMp4(CAP - 32))).statusCode).toBe(204);
    expect(await statusOf(exact.media_id)).toBe('succeeded');
  });

  it("hides another user's media: 404 on read, absent from their list", async () => {
    const reg = await register(alice);
    const res = await getMedia(bob, reg.media_id);
    expect(res.statusCode).toBe(404);
    expectResponseMatchesSpec('GET', '/media/{media_id}', 404, res.json());
    const list = await app.http.inject({ method: 'GET', url: '/v5/media', headers: await bob.auth() });
    expect(list.json().items.map((m: { media_id: string }) => m.media_id)).not.toContain(reg.media_id);
  });

  it('lists the token user’s uploads newest first, by bookmark', async () => {
    const carol = await makeUser(app);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push((await register(carol)).media_id);
    await upload(await register(bob), fakeMp4());

    const seen: string[] = [];
    let bookmark: string | null = null;
    let pages = 0;
    do {
      const query: string = bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : '';
      const res = await app.http.inject({
        method: 'GET',
        url: `/v5/media?page_size=2${query}`,
        headers: await carol.auth(),
      });
      expect(res.statusCode).toBe(200);
      expectResponseMatchesSpec('GET', '/media', 200, res.json());
      expect(res.json().items.length).toBeLessThanOrEqual(2);
      seen.push(...res.json().items.map((m: { media_id: string; status: string }) => m.media_id));
      bookmark = res.json().bookmark;
      pages++;
    } while (bookmark);
    expect(pages).toBe(3);
    expect(seen).toEqual([...ids].reverse());

    const bad = await app.http.inject({
      method: 'GET',
      url: '/v5/media?bookmark=bm9wZQ.AAAAAAAAAAAAAAAAAAAAAA',
      headers: await carol.auth(),
    });
    expect(bad.statusCode).toBe(400);
    expectResponseMatchesSpec('GET', '/media', 400, bad.json());
  });

  it("demands the spec's scopes", async () => {
    const post = await app.http.inject({
      method: 'POST',
      url: '/v5/media',
      headers: await alice.auth(['pins:read']),
      payload: { media_type: 'video' },
    });
    expect(post.statusCode).toBe(403);
    expectResponseMatchesSpec('POST', '/media', 403, post.json());
    expect(post.json().message).toContain('pins:write');

    const reg = await register(alice);
    const get = await getMedia(alice, reg.media_id, ['boards:read']);
    expect(get.statusCode).toBe(403);
    expectResponseMatchesSpec('GET', '/media/{media_id}', 403, get.json());
    const list = await app.http.inject({
      method: 'GET',
      url: '/v5/media',
      headers: await alice.auth(['boards:read']),
    });
    expect(list.statusCode).toBe(403);
    expectResponseMatchesSpec('GET', '/media', 403, list.json());
    const none = await app.http.inject({ method: 'GET', url: '/v5/media' });
    expect(none.statusCode).toBe(401);
    expectResponseMatchesSpec('GET', '/media', 401, none.json());
  });

  it('rejects a body that is not the spec’s MediaUploadCreate', async () => {
    const res = await app.http.inject({
      method: 'POST',
      url: '/v5/media',
      headers: await alice.auth(),
      payload: { media_type: 'image' },
    });
    expect(res.statusCode).toBe(400);
    expectResponseMatchesSpec('POST', '/media', 400, res.json());
  });

  it('wants the file as a `file` part of a multipart form', async () => {
    const reg = await register(alice);
    const path = new URL(reg.upload_url).pathname;
    const json = await app.http.inject({ method: 'POST', url: path, payload: { file: 'x' } });
    expect(json.statusCode).toBe(400);
    const noFile = form(reg.upload_parameters);
    const res = await app.http.inject({
      method: 'POST',
      url: path,
      headers: noFile.headers,
      payload: noFile.payload,
    });
    expect(res.statusCode).toBe(400);
    const wrongName = multipartBody([
      { name: 'upload_token', value: reg.upload_parameters.upload_token! },
      { name: 'video', bytes: fakeMp4() },
    ]);
    const named = await app.http.inject({
      method: 'POST',
      url: path,
      headers: wrongName.headers,
      payload: wrongName.payload,
    });
    expect(named.statusCode).toBe(400);
    expect(await statusOf(reg.media_id)).toBe('registered');
  });

  it('answers over a real socket, refusing an oversized upload without reading all of it', async () => {
    const base = await app.listen();
    const ok = await register(alice);
    const good = form(ok.upload_parameters, { bytes: fakeMp4() });
    const res = await fetch(`${base}${new URL(ok.upload_url).pathname}`, {
      method: 'POST',
      headers: good.headers,
      body: good.payload,
    });
    expect(res.status).toBe(204);

    const big = await register(alice);
    const huge = form(big.upload_parameters, { bytes: fakeMp4(4 * 1024 * 1024) });
    const refused = await fetch(`${base}${new URL(big.upload_url).pathname}`, {
      method: 'POST',
      headers: huge.headers,
      body: huge.payload,
    }).catch((err: unknown) => err);
    // The server answers 413 and closes; a client still sending may see the reset instead.
    if (refused instanceof Response) {
      expect(refused.status).toBe(413);
      expect(refused.headers.get('connection')).toBe('close');
    }
    expect(await statusOf(big.media_id)).toBe('failed');
  });

  it('parses multipart only on the upload route', async () => {
    const body = form({ a: 'b' });
    const res = await app.http.inject({
      method: 'POST',
      url: '/probe',
      headers: body.headers,
      payload: body.payload,
    });
    expect(res.statusCode).toBe(415);
  });
});
