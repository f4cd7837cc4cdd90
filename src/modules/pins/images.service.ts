import { randomBytes } from 'node:crypto';
import type { Config } from '../../platform/config.js';
import type { Db } from '../../platform/db/database.js';
import type { IdGenerator } from '../../platform/ids.js';
import type { BlobStore } from '../../platform/images/blob-store.js';
import { ImageRejected } from '../../platform/images/image-rejected.js';
import { type ProcessedImage, processImage } from '../../platform/images/process-image.js';
import { emit, type TopicConsumer } from '../topics.js';
import type { IncomingImage } from './image-intake.js';

/** Sizes named as the spec's `media.images` keys (the original is kept but not listed there). */
const LISTED = ['150x150', '400x300', '600x', '1200x'] as const;

export interface StoredVariant {
  width: number;
  height: number;
  file: string;
  contentType: string;
  sha256: string;
}

export interface ImageRecord {
  id: string;
  key: string;
  status: 'pending' | 'ready' | 'failed';
  dominant_color: string | null;
  variants: unknown;
}

export type ImageSizes = Record<string, { url: string; width: number; height: number }>;

const EXT: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
  'image/gif': 'gif',
};

/**
 * Writes a processed image's variants under `images/<key>/` and returns the `images` columns of a ready
 * image (shared by the image job and the demo-world seeder).
 */
export async function storeVariants(blobs: BlobStore, key: string, processed: ProcessedImage) {
  const variants: Record<string, StoredVariant> = {};
  for (const [name, v] of Object.entries(processed.variants)) {
    const file = `${name}.${EXT[v.contentType] ?? 'bin'}`;
    await blobs.put(`images/${key}/${file}`, v.bytes, v.contentType);
    variants[name] = { width: v.width, height: v.height, file, contentType: v.contentType, sha256: v.sha256 };
  }
  return {
    status: 'ready' as const,
    width: processed.width,
    height: processed.height,
    dominant_color: processed.dominantColor,
    // The dHash's 64 bits as a signed bigint, so Postgres can store and compare it.
    dhash: BigInt.asIntN(64, BigInt(`0x${processed.dHash}`)).toString(),
    sha256: processed.variants.originals.sha256,
    variants: JSON.stringify(variants),
  };
}

/**
 * Stored images: the raw upload goes to the blob store and an `image.process` job makes the variants,
 * colour and perceptual hash. Pins share image rows when one is saved from another.
 */
export class ImagesService {
  constructor(
    private readonly blobs: BlobStore,
    private readonly ids: IdGenerator,
    private readonly config: Pick<
      Config,
      'publicUrl' | 'imageMaxBytes' | 'imageMaxPixels' | 'jobMaxAttempts'
    >,
  ) {}

  /** Keeps the raw bytes and records a pending image in the caller's transaction, with its job. */
  async store(trx: Db, image: IncomingImage): Promise<string> {
    const id = await this.ids.next('image', trx);
    const key = randomBytes(16).toString('hex');
    await this.blobs.put(`raw/${key}`, image.bytes, 'application/octet-stream');
    await trx
      .insertInto('images')
      .values({ id, key, status: 'pending', source_url: image.sourceUrl })
      .execute();
    await emit(trx, 'image.stored', { imageId: id });
    return id;
  }

  /** The spec's `images` map for a stored image: only the sizes that are ready. */
  sizes(image: ImageRecord): ImageSizes {
    if (image.status !== 'ready') return {};
    const variants = image.variants as Record<string, StoredVariant>;
    const out: ImageSizes = {};
    for (const name of LISTED) {
      const v = variants[name];
      if (v)
        out[name] = {
          url: `${this.config.publicUrl}/media/images/${image.key}/${v.file}`,
          width: v.width,
          height: v.height,
        };
    }
    return out;
  }

  /** The job that turns a pending image into its variants. Idempotent: blobs are overwritten, the row set once. */
  consumer(): TopicConsumer<'image.stored'> {
    return {
      name: 'images.process',
      topics: ['image.stored'],
      handle: async (payload, ctx) => {
        const { imageId } = payload;
        const row = await ctx.trx
          .selectFrom('images')
          .select(['id', 'key', 'status'])
          .where('id', '=', imageId)
          .forUpdate()
          .executeTakeFirst();
        if (row?.status !== 'pending') return;
        const raw = await this.blobs.get(`raw/${row.key}`);
        if (!raw) {
          await ctx.trx
            .updateTable('images')
            .set({ status: 'failed', error: 'upload missing' })
            .where('id', '=', imageId)
            .execute();
          return;
        }
        try {
          const processed = await processImage(raw.bytes, {
            maxInputBytes: this.config.imageMaxBytes,
            maxPixels: this.config.imageMaxPixels,
          });
          await ctx.trx
            .updateTable('images')
            .set({ ...(await storeVariants(this.blobs, row.key, processed)), updated_at: new Date() })
            .where('id', '=', imageId)
            .execute();
        } catch (err) {
          // Anything else (a blob store or decoder fault) is retried, but the last delivery settles the
          // image as failed: a dead-lettered job would leave its pins `pending` for good.
          if (!(err instanceof ImageRejected) && ctx.attempt < this.config.jobMaxAttempts) throw err;
          if (!(err instanceof ImageRejected)) ctx.log.error({ err, imageId }, 'image processing gave up');
          const error = err instanceof ImageRejected ? err.message : 'The image could not be processed.';
          await ctx.trx
            .updateTable('images')
            .set({ status: 'failed', error, updated_at: new Date() })
            .where('id', '=', imageId)
            .execute();
        }
        // The raw upload goes once this transaction has committed (a redelivery may still need it).
        await emit(ctx.trx, 'image.processed', { key: row.key, imageId });
      },
    };
  }

  /** Deletes raw uploads of processed images. */
  cleanupConsumer(): TopicConsumer<'image.processed'> {
    return {
      name: 'images.cleanup',
      topics: ['image.processed'],
      handle: async (payload) => {
        await this.blobs.delete(`raw/${payload.key}`);
      },
    };
  }
}
