import { createHash } from 'node:crypto';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { endsWhereFormatSays } from './image-complete.js';
import { ImageRejected } from './image-rejected.js';
import { dHash } from './perceptual-hash.js';
import { type SizedVariantName, VARIANTS, type VariantName, variantSize } from './variants.js';

/** Input formats accepted; sharp can decode more (SVG, PDF, RAW, ...) but those are not photos to trust. */
export type SourceFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'avif' | 'tiff';

/** Formats the pipeline writes. */
export type OutputFormat = 'jpeg' | 'png' | 'webp' | 'gif';

/** One encoded rendition, ready to store and serve. */
export interface ImageVariant {
  width: number;
  height: number;
  bytes: Buffer;
  format: OutputFormat;
  contentType: string;
  /** sha256 of `bytes`, hex: a strong ETag and a content address. */
  sha256: string;
}

/** Everything the pipeline learns from one image. */
export interface ProcessedImage {
  sourceFormat: SourceFormat;
  /** Size after EXIF orientation, i.e. as displayed. */
  width: number;
  height: number;
  variants: Record<VariantName, ImageVariant>;
  /** Most common colour, `#RRGGBB`, upper case as Pinterest writes it. */
  dominantColor: string;
  /** 64-bit difference hash, 16 hex characters; compare with hammingDistance. */
  dHash: string;
}

/** Limits for processImage. */
export interface ProcessImageOptions {
  maxInputBytes: number;
  /** Width × height of the source; bounds decoder memory at about 4 bytes per pixel. */
  maxPixels: number;
}

/**
 * Decoder strictness for every full decode: libvips warnings (a JPEG's premature end, a PNG's short IDAT
 * stream, a bad CRC) fail the decode, so a damaged file is refused rather than shown with a grey tail.
 * sharp's own default, written out so the intake check and the image job cannot drift apart.
 */
const FAIL_ON = 'warning' as const;

const CONTENT_TYPES: Record<OutputFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
};

// Pinterest serves its sized renditions as JPEG; every client decodes it, and libjpeg-turbo encodes
// several times faster than libwebp at equal quality, which is the cost we pay per upload.
const VARIANT_JPEG = { quality: 82, progressive: true } as const;
// Transparent PNG/GIF/WebP regions would turn black in a JPEG; white is what a pin card sits on.
const FLATTEN = { background: '#ffffff' } as const;

function sourceFormat(meta: Metadata): SourceFormat | undefined {
  switch (meta.format) {
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'gif':
    case 'tiff':
      return meta.format;
    // libheif reports AVIF as heif; HEIC (hevc) is refused, its decoder is not built into sharp.
    case 'heif':
      return meta.compression === 'av1' ? 'avif' : undefined;
    default:
      return undefined;
  }
}

/**
 * Checks an image's header only (format and pixel count; no decoding), throwing ImageRejected: a cheap
 * gate before queueing work, and the first step of processImage. A 20000×20000 bomb costs microseconds.
 */
export async function readImageHeader(
  input: Buffer,
  maxPixels: number,
): Promise<{ meta: Metadata; format: SourceFormat }> {
  let meta: Metadata;
  try {
    // No pixel limit on the header read: we want the real dimensions to refuse with a precise reason.
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (err) {
    throw new ImageRejected('not-an-image', { cause: err });
  }
  const format = sourceFormat(meta);
  if (format === undefined) throw new ImageRejected('unsupported');
  if (!(meta.width > 0 && meta.height > 0)) throw new ImageRejected('not-an-image');
  if (meta.width * meta.height > maxPixels) throw new ImageRejected('too-many-pixels');
  return { meta, format };
}

/**
 * Checks an image in full, throwing ImageRejected: the header (as readImageHeader), that the file ends where
 * its format says, and a decode of every pixel (into a small thumbnail, so memory stays small and JPEG
 * can shrink on load while still reading all of its data). A header alone says nothing of a missing
 * tail; this is what the intake runs before a pin is written.
 */
export async function verifyImage(
  input: Buffer,
  maxPixels: number,
): Promise<{ meta: Metadata; format: SourceFormat }> {
  const header = await readImageHeader(input, maxPixels);
  if (!endsWhereFormatSays(input, header.format)) throw new ImageRejected('not-an-image');
  try {
    await sharp(input, { limitInputPixels: maxPixels, failOn: FAIL_ON })
      .resize(64, 64, { fit: 'inside' })
      .raw()
      .toBuffer();
  } catch (err) {
    throw decodeError(err);
  }
  return header;
}

async function encode(pipeline: Sharp, format: OutputFormat): Promise<ImageVariant> {
  const { data, info } = await pipeline.toBuffer({ resolveWithObject: true });
  return {
    width: info.width,
    height: info.height,
    bytes: data,
    format,
    contentType: CONTENT_TYPES[format],
    sha256: createHash('sha256').update(data).digest('hex'),
  };
}

/** The original, cleaned: same format where browsers show it, else JPEG (or PNG to keep transparency). */
function encodeOriginal(base: Sharp, format: SourceFormat, hasAlpha: boolean): Promise<ImageVariant> {
  switch (format) {
    case 'jpeg':
      return encode(base.clone().jpeg({ quality: 90 }), 'jpeg');
    case 'png':
      return encode(base.clone().png(), 'png');
    case 'webp':
      return encode(base.clone().webp({ quality: 90 }), 'webp');
    case 'gif':
      // Only the first frame: sharp reads one page unless asked, and animation is not supported yet.
      return encode(base.clone().gif(), 'gif');
    default:
      return hasAlpha
        ? encode(base.clone().png(), 'png')
        : encode(base.clone().jpeg({ quality: 90 }), 'jpeg');
  }
}

function encodeSized(
  base: Sharp,
  name: SizedVariantName,
  width: number,
  height: number,
): Promise<ImageVariant> {
  const size = variantSize(VARIANTS[name], width, height);
  // Both kinds resize to an exact box; 'fill' is safe for width variants because the box already has the
  // source's aspect ratio (to the rounding pixel), and 'cover' centre-crops the fixed-ratio ones.
  const fit = VARIANTS[name].kind === 'crop' ? 'cover' : 'fill';
  return encode(
    base.clone().resize(size.width, size.height, { fit }).flatten(FLATTEN).jpeg(VARIANT_JPEG),
    'jpeg',
  );
}

async function dominantColor(base: Sharp): Promise<string> {
  const { data, info } = await base
    .clone()
    .resize(64, 64, { fit: 'inside' })
    .flatten(FLATTEN)
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  // The same 4096-bin histogram as sharp's stats().dominant, but answering the mean colour of the winning
  // bin rather than its centre, so a white picture is #FFFFFF and not #F8F8F8.
  const counts = new Uint32Array(4096);
  const sums = new Float64Array(4096 * 3);
  for (let i = 0; i + 2 < data.length; i += info.channels) {
    const r = data[i] ?? 0;
    const g = data[i + 1] ?? 0;
    const b = data[i + 2] ?? 0;
    const bin = ((r >> 4) << 8) | ((g >> 4) << 4) | (b >> 4);
    counts[bin] = (counts[bin] ?? 0) + 1;
    sums[bin * 3] = (sums[bin * 3] ?? 0) + r;
    sums[bin * 3 + 1] = (sums[bin * 3 + 1] ?? 0) + g;
    sums[bin * 3 + 2] = (sums[bin * 3 + 2] ?? 0) + b;
  }
  let best = 0;
  for (let bin = 1; bin < 4096; bin++) if ((counts[bin] ?? 0) > (counts[best] ?? 0)) best = bin;
  const n = Math.max(1, counts[best] ?? 0);
  const hex = (sum: number) =>
    Math.round(sum / n)
      .toString(16)
      .padStart(2, '0');
  return `#${hex(sums[best * 3] ?? 0)}${hex(sums[best * 3 + 1] ?? 0)}${hex(sums[best * 3 + 2] ?? 0)}`.toUpperCase();
}

function decodeError(err: unknown): ImageRejected {
  const message = err instanceof Error ? err.message : '';
  return new ImageRejected(/pixel limit/i.test(message) ? 'too-many-pixels' : 'not-an-image', { cause: err });
}

/**
 * Validates an untrusted image and derives everything a pin needs from it: EXIF-oriented, metadata-free
 * renditions (150x150, 400x300, 600x, 1200x as JPEG; originals in their own web format), dominant colour
 * and perceptual hash. Throws ImageRejected for anything it will not process.
 */
export async function processImage(input: Buffer, opts: ProcessImageOptions): Promise<ProcessedImage> {
  if (input.length > opts.maxInputBytes) throw new ImageRejected('too-large');
  if (input.length === 0) throw new ImageRejected('not-an-image');
  const { meta, format } = await readImageHeader(input, opts.maxPixels);
  // The intake checked this too, but a raw upload may predate that check.
  if (!endsWhereFormatSays(input, format)) throw new ImageRejected('not-an-image');
  const width = meta.autoOrient.width;
  const height = meta.autoOrient.height;
  // limitInputPixels again: the decoder enforces it itself, should a header ever under-report.
  // Output drops EXIF, GPS, XMP and ICC (converted to sRGB) because no keep*/withMetadata is called.
  const base = sharp(input, { limitInputPixels: opts.maxPixels, autoOrient: true, failOn: FAIL_ON });
  try {
    const names = Object.keys(VARIANTS) as SizedVariantName[];
    const [original, hash, color, ...sized] = await Promise.all([
      encodeOriginal(base, format, meta.hasAlpha),
      dHash(base.clone()),
      dominantColor(base),
      ...names.map((name) => encodeSized(base, name, width, height)),
    ]);
    const variants = { originals: original } as Record<VariantName, ImageVariant>;
    names.forEach((name, i) => {
      variants[name] = sized[i]!;
    });
    return { sourceFormat: format, width, height, variants, dominantColor: color, dHash: hash };
  } catch (err) {
    throw decodeError(err);
  }
}
