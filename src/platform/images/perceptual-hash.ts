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

function bitsOf(hex: string): bigint {
  if (!HEX64.test(hex)) throw new TypeError('expected a 16-digit lower-case hex hash');
  return BigInt(`0x${hex}`);
}

/** Set bits of a 64-bit value (any bigint: read as its low 64 bits, two's complement). */
export function popcount64(x: bigint): number {
  let v = BigInt.asUintN(64, x);
  let n = 0;
  while (v !== 0n) {
    v &= v - 1n;
    n++;
  }
  return n;
}

/** Number of differing bits between two dHash strings (0 = same picture, > 10 = probably different). */
export function hammingDistance(a: string, b: string): number {
  if (!HEX64.test(a) || !HEX64.test(b)) throw new TypeError('expected two 16-digit lower-case hex hashes');
  return popcount64(bitsOf(a) ^ bitsOf(b));
}

/**
 * Two images whose dHashes differ in at most this many bits are the same picture (re-encoded, resized,
 * lightly edited). 6 of 64 is tight: distinct pictures of one colour scheme sit 10+ bits apart.
 */
export const NEAR_DUPLICATE_BITS = 6;

/**
 * Whether a dHash (its 64 bits) says too little about the picture to tell it from others: it is within
 * NEAR_DUPLICATE_BITS of all zeros (what a flat colour, or one brightening evenly left to right, hashes to)
 * or of all ones (darkening evenly). Every flat picture, whatever its colour, hashes to 0.
 */
export function isLowInformationBits(bits: bigint): boolean {
  const set = popcount64(bits);
  return set <= NEAR_DUPLICATE_BITS || set >= 64 - NEAR_DUPLICATE_BITS;
}

/** isLowInformationBits of a dHash given as 16 hex digits. */
export function isLowInformation(hash: string): boolean {
  return isLowInformationBits(bitsOf(hash));
}

/** Largest difference, per red, green and blue channel, of two dominant colours of one picture. */
export const SAME_COLOR_CHANNEL_DELTA = 16;

function sameColor(a: string | null, b: string | null): boolean {
  const parse = (c: string | null) =>
    c && /^#[0-9a-fA-F]{6}$/.test(c) ? Number.parseInt(c.slice(1), 16) : -1;
  const x = parse(a);
  const y = parse(b);
  if (x < 0 || y < 0) return false;
  return [16, 8, 0].every(
    (shift) => Math.abs(((x >> shift) & 255) - ((y >> shift) & 255)) <= SAME_COLOR_CHANNEL_DELTA,
  );
}

/** What near-duplicate detection knows of a processed image: its dHash bits and dominant colour (#RRGGBB). */
export interface PictureSignature {
  readonly bits: bigint;
  readonly color: string | null;
}

/**
 * Whether two images are the same picture: dHashes within NEAR_DUPLICATE_BITS, and, when either hash is low
 * information (see isLowInformationBits: flat or evenly shaded pictures, whose hashes all sit near 0 or
 * near all ones), also dominant colours within SAME_COLOR_CHANNEL_DELTA per channel. So a flat red and a
 * flat blue picture are different pictures, while a flat red one and its re-encoded copy are the same; an
 * image with a low-information hash and no known colour is never a near-duplicate of another.
 */
export function isNearDuplicate(a: PictureSignature, b: PictureSignature): boolean {
  if (popcount64(a.bits ^ b.bits) > NEAR_DUPLICATE_BITS) return false;
  if (!isLowInformationBits(a.bits) && !isLowInformationBits(b.bits)) return true;
  return sameColor(a.color, b.color);
}
