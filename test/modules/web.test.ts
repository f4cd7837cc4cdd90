import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { webRedirectUris } from '../../src/modules/web/first-party.js';
import { startTestApp } from '../helpers/app.js';

let app: App;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'corkboard-web-'));
  await mkdir(path.join(dir, 'assets'));
  await writeFile(
    path.join(dir, 'index.html'),
    '<!doctype html><meta name="corkboard-client-id" content="__CORKBOARD_CLIENT_ID__"><div id="app"></div>',
  );
  await writeFile(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  app = await startTestApp({ env: { WEB_DIR: dir, PUBLIC_URL: 'http://localhost:8080' }, runJobs: false });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const get = (url: string) => app.http.inject({ method: 'GET', url });

describe('the web app at /', () => {
  it('serves index.html at the app’s paths, with the web client’s id written in', async () => {
    const client = await app.product.oauth.firstPartyClient(
      'web',
      'Corkboard web app',
      webRedirectUris('http://localhost:8080'),
    );
    expect(client.public).toBe(true);
    for (const url of ['/', '/signin', '/callback?code=x&state=y', '/pin/123']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain(`content="${client.id}"`);
      expect(res.headers['content-security-policy']).toContain("script-src 'self'");
      expect(res.headers['cache-control']).toBe('no-cache');
    }
  });

  it('serves hashed assets for good, and shadows no API or unknown path', async () => {
    const asset = await get('/assets/index-abc123.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    for (const url of ['/assets/missing.js', '/nope', '/pin', '/pin/abc/extra']) {
      const res = await get(url);
      expect(res.statusCode, url).toBe(404);
      expect(res.json(), url).toMatchObject({ code: expect.any(Number), message: expect.any(String) });
    }
    const api = await get('/v5/user_account');
    expect(api.statusCode).toBe(401);
    expect(api.json().code).toBe(2);
    expect((await get('/healthz')).statusCode).toBe(200);
  });

  it('registers the web client’s callback at PUBLIC_URL, and at every loopback name for a loopback PUBLIC_URL', () => {
    expect(webRedirectUris('http://localhost:8080')).toEqual([
      'http://localhost:8080/callback',
      'http://127.0.0.1:8080/callback',
      'http://[::1]:8080/callback',
    ]);
    expect(webRedirectUris('https://pins.example.org/')).toEqual(['https://pins.example.org/callback']);
    expect(webRedirectUris('https://example.org/corkboard')).toEqual([
      'https://example.org/corkboard/callback',
    ]);
  });
});

describe('without a built app', () => {
  let bare: App;
  let empty: string;
  beforeAll(async () => {
    empty = await mkdtemp(path.join(os.tmpdir(), 'corkboard-web-empty-'));
    bare = await startTestApp({ env: { WEB_DIR: empty }, runJobs: false });
  });
  afterAll(async () => {
    await rm(empty, { recursive: true, force: true });
  });

  it('says how to build it, and the API still answers', async () => {
    const res = await bare.http.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.body).toContain('npm run build:web');
    expect((await bare.http.inject({ method: 'GET', url: '/v5/user_account' })).statusCode).toBe(401);
  });
});
