import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  dHash,
  hammingDistance,
  isLowInformation,
  isNearDuplicate,
  NEAR_DUPLICATE_BITS,
} from '../../src/platform/images/perceptual-hash.js';
import { processImage } from '../../src/platform/images/process-image.js';
import { scene, solid } from './image-factories.js';

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

describe('near duplicates', () => {
  const limits = { maxInputBytes: 10_000_000, maxPixels: 50_000_000 };
  const signature = async (img: Buffer) => {
    const p = await processImage(img, limits);
    return { hash: p.dHash, bits: BigInt(`0x${p.dHash}`), color: p.dominantColor };
  };

  it('does not make two different flat pictures duplicates because both hash to 0', async () => {
    const red = await signature(await solid(400, 300, '#cc2200'));
    const blue = await signature(await solid(400, 300, '#0033cc'));
    const grey = await signature(await solid(200, 500, '#808080', 'jpeg'));
    // Flat pictures have no gradient: every dHash is 0 whatever the colour, so the hash alone says nothing.
    for (const s of [red, blue, grey]) {
      expect(s.hash).toBe('0000000000000000');
      expect(isLowInformation(s.hash)).toBe(true);
    }
    expect(isNearDuplicate(red, blue)).toBe(false);
    expect(isNearDuplicate(red, grey)).toBe(false);
    expect(isNearDuplicate(blue, grey)).toBe(false);
    // The same flat picture re-encoded and resized is still a duplicate (same colour).
    const redAgain = await signature(await solid(200, 150, '#cc2200', 'jpeg'));
    expect(isNearDuplicate(red, redAgain)).toBe(true);
  });

  it('calls pictures with structure duplicates by their hashes alone', async () => {
    const img = await scene(800, 600);
    const a = await signature(img);
    expect(isLowInformation(a.hash)).toBe(false);
    const copy = await signature(await sharp(img).resize(500).jpeg({ quality: 40 }).toBuffer());
    expect(hammingDistance(a.hash, copy.hash)).toBeLessThanOrEqual(NEAR_DUPLICATE_BITS);
    // A colour shift moves the dominant colour, not the picture.
    expect(isNearDuplicate(a, { ...copy, color: '#000000' })).toBe(true);
    expect(isNearDuplicate(a, await signature(await scene(800, 600, 'b')))).toBe(false);
  });

  it('treats hashes within the near-duplicate distance of all zeros or all ones as low information', () => {
    expect(isLowInformation('0000000000000000')).toBe(true);
    expect(isLowInformation('000000000000003f')).toBe(true); // 6 bits
    expect(isLowInformation('000000000000007f')).toBe(false); // 7 bits
    expect(isLowInformation('ffffffffffffffff')).toBe(true);
    expect(isLowInformation('ffffffffffffffc0')).toBe(true);
    expect(isLowInformation('0f0f0f0f0f0f0f0f')).toBe(false);
  });
});
