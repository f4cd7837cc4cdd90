import type { Sharp } from 'sharp';

const HEX64 = /^[0-9a-f]{16}$/;

/**
 * 64-bit difference hash (dHash) as 16 hex characters: the picture shrunk to 9×8 grey pixels, one bit per
 * pair of horizontal neighbours (1 when the left one is brighter). It survives re-encoding, resizing and
 * small colour shifts, so near-duplicates sit within a few bits of each other.
 */
export async function dHash(image: Sharp): Promise<string> {
  const pixels = await image
    .flatten({ background: '#ffffff' })
    .greyscale()
    // No JPEG shrink-on-load: DCT-domain downscaling differs from a full decode just enough to flip the
    // near-tied pixel pairs of smooth regions, so a 1200px source and its 300px copy would drift apart.
    .resize(9, 8, { fit: 'fill', fastShrinkOnLoad: false })
    .raw()
    .toBuffer();
  let bits = 0n;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) {
      const left = pixels[y * 9 + x] ?? 0;
      const right = pixels[y * 9 + x + 1] ?? 0;
      bits = (bits << 1n) | (left > right ? 1n : 0n);
    }
  }
  return bits.toString(16).padStart(16, '0');
}

/** Number of differing bits between two dHash strings (0 = same picture, > 10 = probably different). */
export function hammingDistance(a: string, b: string): number {
  if (!HEX64.test(a) || !HEX64.test(b)) throw new TypeError('expected two 16-digit lower-case hex hashes');
  let diff = BigInt(`0x${a}`) ^ BigInt(`0x${b}`);
  let count = 0;
  while (diff > 0n) {
    count += Number(diff & 1n);
    diff >>= 1n;
  }
  return count;
}
