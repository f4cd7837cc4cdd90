import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Bookmarks } from '../../src/platform/bookmarks.js';
import { Invalid } from '../../src/platform/errors.js';

const bookmarks = new Bookmarks(randomBytes(32));

describe('bookmarks', () => {
  it('round-trips a cursor within its scope', () => {
    const b = bookmarks.encode('boards:user:1', ['2024-01-01T00:00:00.000Z', '123', 7, null, true]);
    expect(b).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(bookmarks.decode('boards:user:1', b)).toEqual(['2024-01-01T00:00:00.000Z', '123', 7, null, true]);
  });

  it.each([
    ['garbage', 'not-a-bookmark'],
    ['empty body', '.abc'],
    ['no signature', 'WyIxIl0'],
    ['bad characters', 'WyIxIl0.a+b/c='],
    ['json, unsigned', `${Buffer.from('["1"]').toString('base64url')}.AAAAAAAAAAAAAAAAAAAAAA`],
  ])('rejects %s with Invalid', (_name, value) => {
    expect(() => bookmarks.decode('s', value)).toThrow(Invalid);
  });

  it('rejects a tampered cursor, a bookmark from another list and one from another instance', () => {
    const b = bookmarks.encode('s', ['100']);
    const [, mac] = b.split('.');
    const forged = `${Buffer.from('["999"]').toString('base64url')}.${mac}`;
    expect(() => bookmarks.decode('s', forged)).toThrow(Invalid);
    expect(() => bookmarks.decode('other', b)).toThrow(Invalid);
    expect(() => new Bookmarks(randomBytes(32)).decode('s', b)).toThrow(Invalid);
    expect(() => bookmarks.decode('s', `${b}x`)).toThrow(Invalid);
  });

  it('builds pages from limit+1 rows', () => {
    const rows = [1, 2, 3, 4];
    const full = bookmarks.page('n', rows, 3, (last) => [last]);
    expect(full.items).toEqual([1, 2, 3]);
    expect(bookmarks.decode('n', full.bookmark!)).toEqual([3]);
    const last = bookmarks.page('n', [4], 3, (l) => [l]);
    expect(last).toEqual({ items: [4], bookmark: null });
  });
});
