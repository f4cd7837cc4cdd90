import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { assertBlobKey, InvalidBlobKey, LocalBlobStore } from '../../src/platform/images/blob-store.js';

let dir: string;
let store: LocalBlobStore;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'corkboard-blobs-'));
  store = new LocalBlobStore(path.join(dir, 'store'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LocalBlobStore', () => {
  it('round-trips bytes and content type', async () => {
    const bytes = Buffer.from([0xff, 0xd8, 0xff, 0x00, 0x01]);
    await store.put('pins/123/600x.jpg', bytes, 'image/jpeg');
    expect(await store.get('pins/123/600x.jpg')).toEqual({ bytes, contentType: 'image/jpeg' });
  });

  it('answers undefined for a missing key or a directory', async () => {
    await store.put('pins/1/a.jpg', Buffer.from('a'), 'image/jpeg');
    expect(await store.get('pins/1/b.jpg')).toBeUndefined();
    expect(await store.get('pins/1')).toBeUndefined();
    expect(await store.get('nothing/here')).toBeUndefined();
  });

  it('overwrites atomically: concurrent readers see the old or the new object, whole', async () => {
    const oldBytes = Buffer.alloc(512 * 1024, 1);
    const newBytes = Buffer.alloc(768 * 1024, 2);
    await store.put('k/x.bin', oldBytes, 'application/octet-stream');
    const reads: Promise<unknown>[] = [];
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 20; i++) {
      writes.push(store.put('k/x.bin', i % 2 ? oldBytes : newBytes, 'application/octet-stream'));
      reads.push(store.get('k/x.bin'));
    }
    await Promise.all(writes);
    for (const got of (await Promise.all(reads)) as { bytes: Buffer }[]) {
      expect(got.bytes.equals(oldBytes) || got.bytes.equals(newBytes)).toBe(true);
    }
    // No temp files left behind.
    expect((await readdir(path.join(dir, 'store', 'k'))).sort()).toEqual(['x.bin', 'x.bin.content-type']);
  });

  it('replaces the content type with the bytes', async () => {
    await store.put('a/b', Buffer.from('1'), 'image/png');
    await store.put('a/b', Buffer.from('2'), 'image/webp');
    expect(await store.get('a/b')).toEqual({ bytes: Buffer.from('2'), contentType: 'image/webp' });
  });

  it('deletes everything under a prefix, and nothing beside it', async () => {
    await store.put('pins/12/150x150.jpg', Buffer.from('a'), 'image/jpeg');
    await store.put('pins/12/originals.png', Buffer.from('b'), 'image/png');
    await store.put('pins/123/600x.jpg', Buffer.from('c'), 'image/jpeg');
    await store.delete('pins/12/');
    expect(await store.get('pins/12/150x150.jpg')).toBeUndefined();
    expect(await store.get('pins/12/originals.png')).toBeUndefined();
    expect(await store.get('pins/123/600x.jpg')).toBeDefined();
    await store.delete('pins/123/600x.jpg');
    expect(await store.get('pins/123/600x.jpg')).toBeUndefined();
    await store.delete('never/was'); // deleting nothing is fine
  });
});

describe('blob keys', () => {
  it.each([
    '../escape',
    'a/../../etc/passwd',
    'a/..',
    '..',
    '/etc/passwd',
    'C:\\windows',
    'a\\b',
    'a//b',
    '',
    'a/',
    './a',
    '.hidden',
    'a/b\0c',
    'x.content-type',
    'a/b.123.tmp',
    `a/${'x'.repeat(200)}`,
    'sp ace',
  ])('rejects %j', async (key) => {
    expect(() => assertBlobKey(key)).toThrow(InvalidBlobKey);
    await expect(store.put(key, Buffer.from('x'), 'text/plain')).rejects.toThrow(InvalidBlobKey);
    await expect(store.get(key)).rejects.toThrow(InvalidBlobKey);
  });

  it.each(['a', 'pins/123/600x.jpg', 'boards/9/cover_400x300.jpg', 'A-b_c.d'])('accepts %j', (key) => {
    expect(() => assertBlobKey(key)).not.toThrow();
  });

  it('never writes outside its base directory', async () => {
    await expect(store.put('../outside', Buffer.from('x'), 'text/plain')).rejects.toThrow(InvalidBlobKey);
    expect(await readdir(dir)).toEqual([]);
  });
});
