import { describe, expect, it } from 'vitest';
import {
  BUCKETS,
  bucketOf,
  HashStream,
  murmur3,
  seedOf,
  UnitKey,
  utf8Bytes,
} from '../../../src/modules/experiments/assignment/index.js';

describe('murmur3', () => {
  // The published MurmurHash3_x86_32 test vectors (as in SMHasher's verification and the reference
  // ports): a mismatch means the hash is not MurmurHash3 and other languages would assign differently.
  const S = 0x9747b28c;
  const VECTORS: [string, number, number][] = [
    ['', 0, 0],
    ['', 1, 0x514e28b7],
    ['', 0xffffffff, 0x81f16f39],
    ['\0\0\0\0', 0, 0x2362f9de],
    ['a', S, 0x7fa09ea6],
    ['ab', S, 0x74875592],
    ['abc', S, 0xc84a62dd],
    ['abcd', S, 0xf0478627],
    ['aaaa', S, 0x5a97808a],
    ['Hello, world!', S, 0x24884cba],
    ['ππππππππ', S, 0xd58063c1],
    ['The quick brown fox jumps over the lazy dog', S, 0x2fa826cd],
  ];
  it.each(VECTORS)('murmur3(%j, %i) is the published value', (text, seed, expected) => {
    expect(murmur3(text, seed)).toBe(expected);
  });

  it('encodes UTF-8 as TextEncoder does, lone surrogates included', () => {
    const encoder = new TextEncoder();
    for (const text of [
      '',
      'plain',
      'é',
      '€uro',
      'ユーザー',
      '😀 emoji',
      'lone \ud800 high',
      'lone \udc00 low',
      'end\ud83d',
    ])
      expect([...utf8Bytes(text)]).toEqual([...encoder.encode(text)]);
  });

  it('gives the same hash through a UnitKey reused under many seeds', () => {
    const key = new UnitKey('70437463654401');
    for (const seed of [0, 1, 42, 0x7fffffff, 0xffffffff])
      expect(key.hash(seed)).toBe(murmur3('70437463654401', seed));
  });
});

describe('buckets', () => {
  // Written down when this test was made: if any moves, every running experiment would reassign people.
  const GOLDEN: [string, string, number, number, number, number, number][] = [
    // salt, unit, seed of the layer stream, then the bucket in the layer, ramp, variant and flag streams
    ['home-feed-layer', '70437463654401', 1049815122, 9610, 3581, 7029, 8544],
    ['home-feed-layer', '70437463654402', 1049815122, 5085, 3373, 1536, 9091],
    ['blend-shares-v1', '70437463654401', 714757196, 47, 5458, 5073, 6417],
    ['ads-reserve-2026-12', 'd-9f3c2a77e01b44d2', 2149833302, 5319, 2752, 3118, 729],
    ['ümlaut-salt', 'ユーザー-1', 3902097714, 431, 6369, 4972, 9712],
    ['s', '', 3008706507, 2347, 9089, 5575, 492],
  ];
  it.each(GOLDEN)('bucketOf(%j, %j) is fixed', (salt, unit, seed, layer, ramp, variant, flag) => {
    expect(seedOf(salt, HashStream.layer)).toBe(seed);
    expect(bucketOf(salt, unit, HashStream.layer)).toBe(layer);
    expect(bucketOf(salt, unit, HashStream.ramp)).toBe(ramp);
    expect(bucketOf(salt, unit, HashStream.variant)).toBe(variant);
    expect(bucketOf(salt, unit, HashStream.flag)).toBe(flag);
  });

  it('is an integer in [0, 10,000)', () => {
    for (let i = 0; i < 1000; i++) {
      const b = bucketOf('salt', `u${i}`, HashStream.layer);
      expect(Number.isInteger(b) && b >= 0 && b < BUCKETS).toBe(true);
    }
  });
});
