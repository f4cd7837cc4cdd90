/**
 * MurmurHash3 (x86, 32-bit) over the UTF-8 bytes of a string, and a unit's key hashed under many seeds.
 *
 * Why MurmurHash3: assignment must give the same answer on every node, after every restart and in any
 * language that reads the results (`mmh3.hash(id, seed, signed=False)` in Python gives the same numbers),
 * so the hash is a published one with test vectors, not `Math.random` or a home-made mix. It passes
 * SMHasher's distribution and avalanche tests, which is all bucketing asks (nothing here is a secret:
 * salts are not keys). It is several times faster than SHA-256 from node:crypto on ids of this length
 * (measured in docs/experiments-assignment.md), and its seed lets one unit's key be mixed once and then
 * hashed under each layer's and experiment's seed for a few arithmetic operations each (`UnitKey`).
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** The block mix of MurmurHash3, which does not depend on the seed. */
function mixK(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

/** The final avalanche of MurmurHash3. */
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** UTF-8 bytes of `text` (lone surrogates as U+FFFD, as TextEncoder does); ASCII is one pass of copies. */
export function utf8Bytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 3);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out[n++] = c;
      continue;
    }
    if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 63);
      continue;
    }
    if (c >= 0xd800 && c < 0xe000) {
      const d = text.charCodeAt(i + 1);
      if (c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
        out[n++] = 0xf0 | (c >> 18);
        out[n++] = 0x80 | ((c >> 12) & 63);
        out[n++] = 0x80 | ((c >> 6) & 63);
        out[n++] = 0x80 | (c & 63);
        continue;
      }
      c = 0xfffd;
    }
    out[n++] = 0xe0 | (c >> 12);
    out[n++] = 0x80 | ((c >> 6) & 63);
    out[n++] = 0x80 | (c & 63);
  }
  return out.subarray(0, n);
}

/** No code unit above 0x7f. */
const ASCII_ONLY = /^[^\u0080-\uffff]*$/;

/** The j-th UTF-8 byte of `text`: of `bytes` when given, else `text` is ASCII and it is the j-th code. */
function byteAt(text: string, bytes: Uint8Array | undefined, j: number): number {
  return bytes === undefined ? text.charCodeAt(j) : bytes[j]!;
}

/**
 * A string's bytes with MurmurHash3's seed-independent work done once: each 4-byte block and the tail
 * already mixed. `hash(seed)` then costs a handful of operations per block.
 */
export class UnitKey {
  private readonly blocks: Int32Array;
  private readonly tail: number;
  private readonly length: number;

  constructor(readonly text: string) {
    // An ASCII key (every user id, nearly every device id) is its own bytes: no copy made.
    const bytes = ASCII_ONLY.test(text) ? undefined : utf8Bytes(text);
    const length = bytes === undefined ? text.length : bytes.length;
    const whole = length >>> 2;
    this.blocks = new Int32Array(whole);
    for (let i = 0; i < whole; i++) {
      const j = i << 2;
      this.blocks[i] = mixK(
        byteAt(text, bytes, j) |
          (byteAt(text, bytes, j + 1) << 8) |
          (byteAt(text, bytes, j + 2) << 16) |
          (byteAt(text, bytes, j + 3) << 24),
      );
    }
    const j = whole << 2;
    const rest = length & 3;
    let k = 0;
    if (rest === 3) k ^= byteAt(text, bytes, j + 2) << 16;
    if (rest >= 2) k ^= byteAt(text, bytes, j + 1) << 8;
    if (rest >= 1) k ^= byteAt(text, bytes, j);
    this.tail = rest > 0 ? mixK(k) : 0;
    this.length = length;
  }

  /** MurmurHash3_x86_32 of the key's UTF-8 bytes with `seed`, as an unsigned 32-bit integer. */
  hash(seed: number): number {
    let h = seed | 0;
    const blocks = this.blocks;
    for (let i = 0; i < blocks.length; i++) {
      h ^= blocks[i]!;
      h = (h << 13) | (h >>> 19);
      h = (Math.imul(h, 5) + 0xe6546b64) | 0;
    }
    return fmix(h ^ this.tail ^ this.length);
  }
}

/** MurmurHash3_x86_32 of the UTF-8 bytes of `text` with `seed` (unsigned). */
export function murmur3(text: string, seed = 0): number {
  return new UnitKey(text).hash(seed);
}

/**
 * What a hash is used for. Each use gets its own seed from the same salt, so a layer and an experiment
 * that happen to share a salt still hash a unit independently, and an experiment's ramp and variant
 * hashes are independent of each other.
 */
export const HashStream = { layer: 1, ramp: 2, variant: 3, flag: 4 } as const;
export type HashStream = (typeof HashStream)[keyof typeof HashStream];

/** The seed under which units are hashed for `salt` and `stream`: murmur3(salt, stream). */
export function seedOf(salt: string, stream: HashStream): number {
  return murmur3(salt, stream);
}

/** The number of buckets a hash is reduced to: basis points, so a share of 1 bucket is 0.01%. */
export const BUCKETS = 10_000;

/** hash(salt, unitId) mod 10,000 for `stream`: the bucket a unit lands in. */
export function bucketOf(salt: string, unitId: string, stream: HashStream): number {
  return murmur3(unitId, seedOf(salt, stream)) % BUCKETS;
}
