import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { base64url, randomString, s256 } from '../src/auth/pkce.js';
import { sha256 } from '../src/auth/sha256.js';

const hex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

describe('PKCE in the browser', () => {
  it('makes the S256 challenge of a verifier', async () => {
    const v = 'dBjftJeZ4CVP-mJ92IfcN0x3Pj6Yl5sDqVexrDaOjb4';
    expect(await s256(v)).toBe(createHash('sha256').update(v).digest('base64url'));
  });

  it('has a plain SHA-256 for pages without WebCrypto that agrees with it on every length', () => {
    expect(hex(sha256(new TextEncoder().encode('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    for (let n = 0; n < 200; n += 7) {
      const data = new Uint8Array(n).map((_, i) => (i * 31 + n) & 255);
      expect(hex(sha256(data)), `length ${n}`).toBe(createHash('sha256').update(data).digest('hex'));
    }
  });

  it('makes verifiers of 43 unreserved characters', () => {
    const v = randomString(32);
    expect(v).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomString(32)).not.toBe(v);
    expect(base64url(new Uint8Array([251, 255]))).toBe('-_8');
  });
});
