import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import sharp from 'sharp';
import { storeVariants } from '../../modules/pins/index.js';
import type { Db } from '../../platform/db/database.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { BlobStore } from '../../platform/images/blob-store.js';
import { type ProcessedImage, processImage } from '../../platform/images/process-image.js';
import { Random } from './random.js';
import type { Topic } from './vocabulary.js';

/**
 * Distinct pictures made per topic at most: pins beyond it share them (in turn). A default world (a few
 * hundred pins) gives every original pin its own picture; a very large one stays cheap to seed.
 */
export const PICTURES_PER_TOPIC = 64;

const WIDTH = 360;
const HEIGHTS = [270, 360, 450, 540] as const;
const SHAPES = ['circle', 'square', 'triangle', 'bar', 'ring'] as const;
const INKS = ['#ffffff', '#f4efe6', '#222222', '#3a3a3a'] as const;

/** FNV-1a of text: the seed of one picture's parameters. */
function fnv(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

function shape(kind: (typeof SHAPES)[number], rng: Random, w: number, h: number, fill: string): string {
  const cx = (w * (5 + rng.int(90))) / 100;
  const cy = (h * (5 + rng.int(90))) / 100;
  const r = (Math.min(w, h) * (10 + rng.int(25))) / 100;
  const turn = rng.int(90);
  switch (kind) {
    case 'circle':
      return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="${fill}"/>`;
    case 'square':
      return `<rect x="${cx - r}" y="${cy - r}" width="${2 * r}" height="${2 * r}" fill="${fill}" transform="rotate(${turn} ${cx} ${cy})"/>`;
    case 'triangle':
      return `<polygon points="${cx},${cy - r} ${cx + r},${cy + r} ${cx - r},${cy + r}" fill="${fill}" transform="rotate(${turn} ${cx} ${cy})"/>`;
    case 'bar':
      return `<rect x="${cx - r / 3}" y="-${h}" width="${(2 * r) / 3}" height="${3 * h}" fill="${fill}" transform="rotate(${turn - 45} ${cx} ${cy})"/>`;
    case 'ring':
      return `<circle cx="${cx}" cy="${cy}" r="${r}" fill="none" stroke="${fill}" stroke-width="${r / 3}"/>`;
  }
}

/**
 * Picture `index` of a topic, as a JPEG: a gradient between two of the topic's colours at its own angle
 * under three to five shapes of its own kinds, places, sizes and inks. Everything follows from (topic,
 * index) alone, so the same picture comes back in every world, and different indexes differ in structure,
 * not only in colour (their dHashes sit far apart; see docs/architecture.md, Related pins).
 */
export function demoPicture(topic: Topic, index: number): Promise<Buffer> {
  const rng = new Random(fnv(`${topic.name}:${index}`));
  const height = rng.pick(HEIGHTS);
  const [from, to] = rng.sample(topic.colors, 2) as [string, string];
  const angle = rng.int(360);
  const shapes = Array.from({ length: 3 + rng.int(3) }, () =>
    shape(rng.pick(SHAPES), rng, WIDTH, height, rng.chance(0.5) ? rng.pick(INKS) : rng.pick(topic.colors)),
  ).join('');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}">` +
    `<defs><linearGradient id="g" gradientTransform="rotate(${angle} 0.5 0.5)">` +
    `<stop offset="0" stop-color="${from}"/><stop offset="1" stop-color="${to}"/></linearGradient></defs>` +
    `<rect width="100%" height="100%" fill="url(#g)"/>${shapes}</svg>`;
  return sharp(Buffer.from(svg)).jpeg({ quality: 85 }).toBuffer();
}

/**
 * Processed demo pictures by (topic, index, limits), kept a few minutes: seeding several worlds in one
 * process (tests, benches) renders and processes each picture once, and the memory goes afterwards.
 */
const processed = new LRUCache<string, ProcessedImage>({
  maxSize: 64 * 1024 * 1024,
  sizeCalculation: (p) => Object.values(p.variants).reduce((n, v) => n + v.bytes.length, 0) || 1,
  ttl: 5 * 60_000,
  ttlAutopurge: true,
});

async function picture(
  topic: Topic,
  index: number,
  limits: { imageMaxBytes: number; imageMaxPixels: number },
): Promise<ProcessedImage> {
  const key = `${topic.name}:${index}:${limits.imageMaxBytes}:${limits.imageMaxPixels}`;
  const cached = processed.get(key);
  if (cached) return cached;
  const made = await processImage(await demoPicture(topic, index), {
    maxInputBytes: limits.imageMaxBytes,
    maxPixels: limits.imageMaxPixels,
  });
  processed.set(key, made);
  return made;
}

/**
 * Makes `counts.get(topic)` distinct pictures for each topic (demoPicture), runs them through the real
 * image pipeline, stores their variants and inserts ready `images` rows. Returns the image ids per topic
 * name, picture `i` at index `i`.
 */
export async function seedImages(
  db: Db,
  blobs: BlobStore,
  ids: IdGenerator,
  topics: readonly Topic[],
  counts: ReadonlyMap<string, number>,
  limits: { imageMaxBytes: number; imageMaxPixels: number },
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const topic of topics) {
    const n = counts.get(topic.name) ?? 0;
    const made = await Promise.all(
      Array.from({ length: n }, async (_, i) => ({ i, image: await picture(topic, i, limits) })),
    );
    if (n === 0) {
      out.set(topic.name, []);
      continue;
    }
    const list = await ids.many('image', n);
    const rows = [];
    for (const { i, image } of made) {
      const key = randomBytes(16).toString('hex');
      rows.push({ id: list[i]!, key, ...(await storeVariants(blobs, key, image)) });
    }
    await db.insertInto('images').values(rows).execute();
    out.set(topic.name, list);
  }
  return out;
}
