import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import { storeVariants } from '../../modules/pins/index.js';
import type { Db } from '../../platform/db/database.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { BlobStore } from '../../platform/images/blob-store.js';
import { processImage } from '../../platform/images/process-image.js';
import type { Random } from './random.js';
import type { Topic } from './vocabulary.js';

const SHAPES = ['circle', 'square', 'triangle', 'stripes', 'rings'] as const;

function svg(width: number, height: number, shape: (typeof SHAPES)[number], fg: string, rng: Random): string {
  const cx = width * (0.3 + rng.next() * 0.4);
  const cy = height * (0.3 + rng.next() * 0.4);
  const r = Math.min(width, height) * (0.15 + rng.next() * 0.2);
  switch (shape) {
    case 'circle':
      return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${fg}"/>`;
    case 'square':
      return `<rect x="${cx - r}" y="${cy - r}" width="${2 * r}" height="${2 * r}" fill="${fg}" transform="rotate(${rng.int(45)} ${cx} ${cy})"/>`;
    case 'triangle':
      return `<polygon points="${cx},${cy - r} ${cx + r},${cy + r} ${cx - r},${cy + r}" fill="${fg}"/>`;
    case 'stripes':
      return Array.from(
        { length: 6 },
        (_, i) =>
          `<rect x="0" y="${(i * height) / 6}" width="${width}" height="${height / 14}" fill="${fg}"/>`,
      ).join('');
    case 'rings':
      return [1, 0.7, 0.4]
        .map(
          (k) =>
            `<circle cx="${cx}" cy="${cy}" r="${r * k}" fill="none" stroke="${fg}" stroke-width="${r / 8}"/>`,
        )
        .join('');
  }
}

/**
 * Makes `perTopic` distinct images for each topic (its colours, varied shapes and sizes), runs them
 * through the real image pipeline, stores their variants and inserts ready `images` rows. Returns the
 * image ids per topic name.
 */
export async function seedImages(
  db: Db,
  blobs: BlobStore,
  ids: IdGenerator,
  topics: readonly Topic[],
  perTopic: number,
  rng: Random,
  limits: { imageMaxBytes: number; imageMaxPixels: number },
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const topic of topics) {
    const list: string[] = [];
    for (let i = 0; i < perTopic; i++) {
      const width = 600;
      const height = rng.pick([400, 600, 750, 900]);
      const background = rng.pick(topic.colors);
      const fg = rng.pick(['#ffffff', '#222222', rng.pick(topic.colors)]);
      const shape = SHAPES[i % SHAPES.length]!;
      const png = await sharp({ create: { width, height, channels: 3, background } })
        .composite([
          {
            input: Buffer.from(
              `<svg width="${width}" height="${height}">${svg(width, height, shape, fg, rng)}</svg>`,
            ),
          },
        ])
        .png()
        .toBuffer();
      const processed = await processImage(png, {
        maxInputBytes: limits.imageMaxBytes,
        maxPixels: limits.imageMaxPixels,
      });
      const key = randomBytes(16).toString('hex');
      const id = await ids.next('image');
      await db
        .insertInto('images')
        .values({ id, key, ...(await storeVariants(blobs, key, processed)) })
        .execute();
      list.push(id);
    }
    out.set(topic.name, list);
  }
  return out;
}
