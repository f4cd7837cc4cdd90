/**
 * HMAC-SHA256 for short messages, in JavaScript. The key's padded blocks are hashed once; a message then
 * costs its own blocks plus one outer block, with no allocation. For the 40–60 byte impression tokens
 * that is two SHA-256 compressions, about three times quicker than node:crypto, whose per-call overhead
 * (hash objects, copies, digests) dominates at this size. Checked against node:crypto in the tests.
 */

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);
const IV = new Int32Array([
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
]);

/** One SHA-256 compression of the 64-byte block at `off` into the state `H`. */
function compress(H: Int32Array, W: Int32Array, b: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4;
    W[i] = (b[j]! << 24) | (b[j + 1]! << 16) | (b[j + 2]! << 8) | b[j + 3]!;
  }
  for (let i = 16; i < 64; i++) {
    const w15 = W[i - 15]!;
    const w2 = W[i - 2]!;
    const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
    const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
    W[i] = (W[i - 16]! + s0 + W[i - 7]! + s1) | 0;
  }
  let a = H[0]!;
  let b1 = H[1]!;
  let c = H[2]!;
  let d = H[3]!;
  let e = H[4]!;
  let f = H[5]!;
  let g = H[6]!;
  let h = H[7]!;
  for (let i = 0; i < 64; i++) {
    const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i]! + W[i]!) | 0;
    const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (s0 + ((a & b1) ^ (a & c) ^ (b1 & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b1;
    b1 = a;
    a = (t1 + t2) | 0;
  }
  H[0] = (H[0]! + a) | 0;
  H[1] = (H[1]! + b1) | 0;
  H[2] = (H[2]! + c) | 0;
  H[3] = (H[3]! + d) | 0;
  H[4] = (H[4]! + e) | 0;
  H[5] = (H[5]! + f) | 0;
  H[6] = (H[6]! + g) | 0;
  H[7] = (H[7]! + h) | 0;
}

/** HMAC-SHA256 with one key. Not re-entrant (shared scratch space); JavaScript runs it one call at a time. */
export class HmacSha256 {
  private readonly inner = new Int32Array(8);
  private readonly outer = new Int32Array(8);
  private readonly state = new Int32Array(8);
  private readonly w = new Int32Array(64);
  private readonly block = new Uint8Array(128);

  constructor(key: Uint8Array) {
    const padded = new Uint8Array(64);
    if (key.length > 64) {
      const h = new Int32Array(8);
      this.digestInto(h, key, 0, key.length, IV);
      for (let i = 0; i < 32; i++) padded[i] = h[i >> 2]! >>> (24 - 8 * (i & 3));
    } else padded.set(key);
    this.inner.set(IV);
    this.outer.set(IV);
    compress(
      this.inner,
      this.w,
      padded.map((x) => x ^ 0x36),
      0,
    );
    compress(
      this.outer,
      this.w,
      padded.map((x) => x ^ 0x5c),
      0,
    );
  }

  /** Writes the first `outLen` (≤ 32) bytes of HMAC(data[0..len)) to out[outOff..). */
  mac(data: Uint8Array, len: number, out: Uint8Array, outOff: number, outLen: number): void {
    const st = this.state;
    this.digestInto(st, data, 64, len, this.inner);
    const blk = this.block;
    for (let i = 32; i < 64; i++) blk[i] = 0;
    for (let i = 0; i < 8; i++) {
      const v = st[i]!;
      blk[i * 4] = v >>> 24;
      blk[i * 4 + 1] = v >>> 16;
      blk[i * 4 + 2] = v >>> 8;
      blk[i * 4 + 3] = v;
    }
    blk[32] = 0x80;
    // (64 + 32) bytes = 768 bits
    blk[62] = 0x03;
    blk[63] = 0x00;
    const outer = this.outer;
    for (let i = 0; i < 8; i++) st[i] = outer[i]!;
    compress(st, this.w, blk, 0);
    for (let i = 0; i < outLen; i++) out[outOff + i] = st[i >> 2]! >>> (24 - 8 * (i & 3));
  }

  /** SHA-256 of data[0..len) continued from `from` after `before` bytes already hashed, into `st`. */
  private digestInto(st: Int32Array, data: Uint8Array, before: number, len: number, from: Int32Array): void {
    // Copies by hand: TypedArray.set costs more than the copy on eight words.
    for (let i = 0; i < 8; i++) st[i] = from[i]!;
    let off = 0;
    while (len - off >= 64) {
      compress(st, this.w, data, off);
      off += 64;
    }
    const rem = len - off;
    const blk = this.block;
    for (let i = 0; i < rem; i++) blk[i] = data[off + i]!;
    for (let i = rem; i < 128; i++) blk[i] = 0;
    blk[rem] = 0x80;
    const total = rem + 9 <= 64 ? 64 : 128;
    const bits = (before + len) * 8;
    // Messages here are far below 2^29 bytes: the high length word stays zero.
    blk[total - 4] = bits >>> 24;
    blk[total - 3] = bits >>> 16;
    blk[total - 2] = bits >>> 8;
    blk[total - 1] = bits;
    compress(st, this.w, blk, 0);
    if (total === 128) compress(st, this.w, blk, 64);
  }
}
