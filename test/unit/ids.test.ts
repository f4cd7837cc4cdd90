import { describe, expect, it } from 'vitest';
import { decodeId, encodeId, IdType, isIdOfType, isIdText, MAX_LOCAL } from '../../src/platform/ids.js';

describe('64-bit IDs', () => {
  it('packs shard | type | local as Pinterest lays them out', () => {
    const id = encodeId(1, IdType.pin, 1n);
    expect(id).toBe(((1n << 46n) | (4n << 36n) | 1n).toString());
    expect(decodeId(id)).toEqual({ shard: 1, type: IdType.pin, local: 1n });
  });

  it('round-trips the extremes of every field', () => {
    for (const [shard, type, local] of [
      [0, 0, 0n],
      [65535, 1023, MAX_LOCAL],
      [12345, IdType.board, 987654321n],
      [65535, 0, 0n],
    ] as const) {
      const id = encodeId(shard, type, local);
      expect(id).toMatch(/^\d+$/);
      expect(BigInt(id) < 1n << 62n).toBe(true);
      expect(decodeId(id)).toEqual({ shard, type, local });
    }
  });

  it('refuses parts out of range', () => {
    expect(() => encodeId(65536, 1, 1n)).toThrow(RangeError);
    expect(() => encodeId(-1, 1, 1n)).toThrow(RangeError);
    expect(() => encodeId(1, 1024, 1n)).toThrow(RangeError);
    expect(() => encodeId(1, 1, MAX_LOCAL + 1n)).toThrow(RangeError);
    expect(() => encodeId(1, 1, -1n)).toThrow(RangeError);
  });

  it('decodes only well-formed 64-bit decimal strings', () => {
    expect(decodeId('')).toBeUndefined();
    expect(decodeId('12a')).toBeUndefined();
    expect(decodeId('-5')).toBeUndefined();
    expect(decodeId('18446744073709551616')).toBeUndefined(); // 2^64
    expect(decodeId('4611686018427387904')).toBeUndefined(); // 2^62: a reserved bit set
    expect(decodeId('4611686018427387903')).toEqual({ shard: 65535, type: 1023, local: MAX_LOCAL });
  });

  it('tells kinds apart', () => {
    const pin = encodeId(3, IdType.pin, 42n);
    expect(isIdOfType(pin, 'pin')).toBe(true);
    expect(isIdOfType(pin, 'board')).toBe(false);
    expect(isIdOfType('garbage', 'pin')).toBe(false);
  });
});

describe('isIdText', () => {
  it('takes 1 to 19 digits up to the largest bigint, and nothing else', () => {
    for (const ok of ['1', '0', '70643622084612', '9223372036854775807']) expect(isIdText(ok)).toBe(true);
    for (const bad of ['', '9223372036854775808', '99999999999999999999', '-1', '1.0', ' 1', 'x', 1, null])
      expect(isIdText(bad)).toBe(false);
  });
});
