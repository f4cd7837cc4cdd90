import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { dHash, hammingDistance } from '../../src/platform/images/perceptual-hash.js';
import { scene } from './image-factories.js';

describe('dHash', () => {
  it('is 16 hex digits and stable for the same image', async () => {
    const img = await scene(640, 480);
    const a = await dHash(sharp(img));
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(await dHash(sharp(img))).toBe(a);
  });

  it('barely moves when the image is re-encoded at another quality, size or format', async () => {
    const img = await scene(1200, 900);
    const h = await dHash(sharp(img));
    const copy = (width: number, format: 'jpeg' | 'webp' | 'png', quality: number) =>
      sharp(img).resize(width).toFormat(format, { quality }).toBuffer();
    expect(hammingDistance(h, await dHash(sharp(await copy(1200, 'png', 100))))).toBeLessThanOrEqual(2);
    expect(hammingDistance(h, await dHash(sharp(await copy(500, 'jpeg', 30))))).toBeLessThanOrEqual(5);
    expect(hammingDistance(h, await dHash(sharp(await copy(600, 'webp', 40))))).toBeLessThanOrEqual(5);
    // Much smaller copies stay within the usual near-duplicate threshold of 10 bits.
    expect(hammingDistance(h, await dHash(sharp(await copy(300, 'webp', 40))))).toBeLessThanOrEqual(10);
    expect(hammingDistance(h, await dHash(sharp(await copy(150, 'jpeg', 50))))).toBeLessThanOrEqual(10);
  });

  it('is far for a very different image', async () => {
    const a = await dHash(sharp(await scene(800, 600, 'a')));
    const b = await dHash(sharp(await scene(800, 600, 'b')));
    expect(hammingDistance(a, b)).toBeGreaterThan(20);
  });
});

describe('hammingDistance', () => {
  it('counts differing bits', () => {
    expect(hammingDistance('0000000000000000', '0000000000000000')).toBe(0);
    expect(hammingDistance('0000000000000000', 'ffffffffffffffff')).toBe(64);
    expect(hammingDistance('8000000000000001', '0000000000000000')).toBe(2);
    expect(hammingDistance('00000000000000f0', '000000000000000f')).toBe(8);
  });

  it('rejects strings that are not 64-bit hex hashes', () => {
    expect(() => hammingDistance('abc', '0000000000000000')).toThrow(TypeError);
    expect(() => hammingDistance('000000000000000g', '0000000000000000')).toThrow(TypeError);
  });
});
