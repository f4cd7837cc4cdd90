import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { ImageRejected } from '../../src/platform/images/image-rejected.js';
import { hammingDistance } from '../../src/platform/images/perceptual-hash.js';
import { type ProcessedImage, processImage } from '../../src/platform/images/process-image.js';
import { declaredHugePng, rgb, scene, solid } from './image-factories.js';

const LIMITS = { maxInputBytes: 20 * 1024 * 1024, maxPixels: 40_000_000 };

async function rejection(input: Buffer, limits = LIMITS): Promise<ImageRejected> {
  const err = await processImage(input, limits).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ImageRejected);
  return err as ImageRejected;
}

describe('processImage variants', () => {
  let landscape: ProcessedImage;
  let portrait: ProcessedImage;

  beforeAll(async () => {
    landscape = await processImage(await scene(2000, 1500), LIMITS);
    portrait = await processImage(await scene(900, 2400), LIMITS);
  });

  it('makes the Pinterest sizes of a landscape photo', () => {
    const sizes = Object.fromEntries(
      Object.entries(landscape.variants).map(([name, v]) => [name, [v.width, v.height]]),
    );
    expect(sizes).toEqual({
      originals: [2000, 1500],
      '150x150': [150, 150],
      '400x300': [400, 300],
      '600x': [600, 450],
      '1200x': [1200, 900],
    });
    expect([landscape.width, landscape.height]).toEqual([2000, 1500]);
  });

  it('keeps a tall photo tall in the width-bounded sizes and crops the fixed ones', () => {
    const v = portrait.variants;
    expect([v['600x'].width, v['600x'].height]).toEqual([600, 1600]);
    expect([v['1200x'].width, v['1200x'].height]).toEqual([900, 2400]); // narrower than 1200: not upscaled
    expect([v['400x300'].width, v['400x300'].height]).toEqual([400, 300]);
    expect([v['150x150'].width, v['150x150'].height]).toEqual([150, 150]);
  });

  it('describes every variant truthfully', async () => {
    for (const v of Object.values(landscape.variants)) {
      const meta = await sharp(v.bytes).metadata();
      expect([meta.width, meta.height, meta.format]).toEqual([v.width, v.height, v.format]);
      expect(v.contentType).toBe(`image/${v.format}`);
      expect(v.sha256).toBe(createHash('sha256').update(v.bytes).digest('hex'));
    }
    expect(landscape.variants['600x'].format).toBe('jpeg');
    expect(landscape.variants.originals.format).toBe('jpeg');
    expect(landscape.sourceFormat).toBe('jpeg');
  });

  it('never upscales a small image', async () => {
    const out = await processImage(await solid(120, 80, '#3366cc', 'png'), LIMITS);
    for (const v of Object.values(out.variants)) {
      expect(v.width).toBeLessThanOrEqual(120);
      expect(v.height).toBeLessThanOrEqual(80);
    }
    expect([out.variants['600x'].width, out.variants['600x'].height]).toEqual([120, 80]);
    expect([out.variants['400x300'].width, out.variants['400x300'].height]).toEqual([107, 80]);
    expect([out.variants['150x150'].width, out.variants['150x150'].height]).toEqual([80, 80]);
  });

  it.each(['jpeg', 'png', 'webp', 'gif', 'avif', 'tiff'] as const)('accepts %s', async (format) => {
    const out = await processImage(await solid(320, 240, '#10a040', format), LIMITS);
    expect(out.variants['150x150'].format).toBe('jpeg');
    const expected = { jpeg: 'jpeg', png: 'png', webp: 'webp', gif: 'gif', avif: 'jpeg', tiff: 'jpeg' };
    expect(out.variants.originals.format).toBe(expected[format]);
  });

  it('flattens transparency onto white in JPEG variants and keeps it in a PNG original', async () => {
    const clear = await sharp({ create: { width: 200, height: 200, channels: 4, background: '#00000000' } })
      .png()
      .toBuffer();
    const out = await processImage(clear, LIMITS);
    expect(out.dominantColor).toBe('#FFFFFF'); // the mean of the bin, not sharp's bin centre #F8F8F8
    expect((await sharp(out.variants.originals.bytes).metadata()).hasAlpha).toBe(true);
    const { dominant } = await sharp(out.variants['150x150'].bytes).stats();
    expect(dominant.r).toBeGreaterThan(240);
  });
});

/** Whether EXIF holds the GPS IFD pointer (tag 0x8825, in either byte order). */
const hasGpsIfd = (exif: Buffer) =>
  exif.includes(Buffer.from([0x88, 0x25, 0x00, 0x04])) ||
  exif.includes(Buffer.from([0x25, 0x88, 0x04, 0x00]));

describe('processImage orientation and metadata', () => {
  // 300×200 stored pixels, left half red and right half blue, tagged "rotate 90° clockwise to view",
  // with camera and GPS EXIF that must not survive.
  let tagged: Buffer;
  let out: ProcessedImage;

  beforeAll(async () => {
    const half = await sharp({ create: { width: 150, height: 200, channels: 3, background: '#0000ff' } })
      .png()
      .toBuffer();
    tagged = await sharp({ create: { width: 300, height: 200, channels: 3, background: '#ff0000' } })
      .composite([{ input: half, left: 150, top: 0 }])
      .jpeg()
      .withExif({
        IFD0: { Make: 'CorkCam', Model: 'Secret 1', Copyright: 'someone' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '51/1 30/1 0/1',
          GPSLongitudeRef: 'W',
          GPSLongitude: '0/1 7/1 0/1',
        },
      })
      .withMetadata({ orientation: 6 })
      .toBuffer();
    out = await processImage(tagged, LIMITS);
  });

  it('the fixture really carries orientation and GPS', async () => {
    const meta = await sharp(tagged).metadata();
    expect(meta.orientation).toBe(6);
    expect(meta.exif?.includes(Buffer.from('CorkCam'))).toBe(true);
    expect(meta.exif && hasGpsIfd(meta.exif)).toBe(true);
  });

  it('reports displayed (rotated) dimensions and rotates the pixels', async () => {
    expect([out.width, out.height]).toEqual([200, 300]);
    const o = out.variants.originals;
    expect([o.width, o.height]).toEqual([200, 300]);
    expect([out.variants['600x'].width, out.variants['600x'].height]).toEqual([200, 300]);
    // Clockwise: the left (red) half ends up on top.
    const { data, info } = await sharp(o.bytes).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) =>
      Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
    expect(at(100, 20)[0]).toBeGreaterThan(200);
    expect(at(100, 280)[2]).toBeGreaterThan(200);
  });

  it('strips EXIF, GPS, orientation, XMP and ICC from every output', async () => {
    for (const v of Object.values(out.variants)) {
      const meta = await sharp(v.bytes).metadata();
      expect(meta.exif).toBeUndefined();
      expect(meta.orientation).toBeUndefined();
      expect(meta.xmp).toBeUndefined();
      expect(meta.icc).toBeUndefined();
      expect(v.bytes.includes(Buffer.from('CorkCam'))).toBe(false);
      expect(v.bytes.includes(Buffer.from('Exif\0'))).toBe(false);
    }
  });
});

describe('processImage colour and hash', () => {
  it.each([
    ['#FF0000', 'jpeg'],
    ['#00C000', 'png'],
    ['#2050F0', 'webp'],
    ['#6E7874', 'jpeg'],
  ] as const)('finds dominant colour %s', async (fill, format) => {
    const out = await processImage(await solid(640, 480, fill, format), LIMITS);
    expect(out.dominantColor).toMatch(/^#[0-9A-F]{6}$/);
    const got = rgb(out.dominantColor);
    for (const [i, c] of rgb(fill).entries()) expect(Math.abs((got[i] ?? 0) - c)).toBeLessThanOrEqual(8);
  });

  it('gives a near-identical dHash for the same picture re-encoded and a distant one for another', async () => {
    const pic = await scene(1600, 1200, 'a');
    const again = await sharp(pic).resize(700).jpeg({ quality: 35 }).toBuffer();
    const other = await scene(1600, 1200, 'b');
    const [a, b, c] = await Promise.all([pic, again, other].map((x) => processImage(x, LIMITS)));
    expect(hammingDistance(a!.dHash, b!.dHash)).toBeLessThanOrEqual(4);
    expect(hammingDistance(a!.dHash, c!.dHash)).toBeGreaterThan(10);
  });
});

describe('processImage refusals', () => {
  it.each([
    ['text', Buffer.from('definitely not an image, just some words')],
    ['empty', Buffer.alloc(0)],
    ['random bytes', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))],
  ])('refuses %s as not-an-image', async (_name, input) => {
    expect((await rejection(input)).reason).toBe('not-an-image');
  });

  it('refuses a truncated JPEG as not-an-image', async () => {
    const whole = await scene(800, 600);
    expect((await rejection(whole.subarray(0, Math.floor(whole.length / 2)))).reason).toBe('not-an-image');
  });

  it('refuses an image format it could decode but does not accept (SVG)', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>');
    expect((await rejection(svg)).reason).toBe('unsupported');
  });

  it('refuses bytes over maxInputBytes before looking at them', async () => {
    const img = await solid(300, 300, '#ffffff', 'png');
    const err = await rejection(img, { ...LIMITS, maxInputBytes: img.length - 1 });
    expect(err.reason).toBe('too-large');
  });

  it('refuses a 20000×20000 PNG bomb quickly, from its header', async () => {
    const bomb = declaredHugePng(20000, 20000);
    expect(bomb.length).toBeLessThan(200_000);
    const started = performance.now();
    const err = await rejection(bomb);
    expect(err.reason).toBe('too-many-pixels');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('refuses a real highly compressible image over maxPixels quickly', async () => {
    const big = await solid(4000, 4000, '#00ff00', 'png');
    const started = performance.now();
    const err = await rejection(big, { ...LIMITS, maxPixels: 10_000_000 });
    expect(err.reason).toBe('too-many-pixels');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('has a message safe to show the user', async () => {
    const err = await rejection(Buffer.from('nope'));
    expect(err.message).toBe('The file is not an image that can be read.');
  });
});
