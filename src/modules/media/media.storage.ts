import { Invalid, PayloadTooLarge } from '../../platform/errors.js';
import type { BlobStore } from '../../platform/images/blob-store.js';
import { BmffWalker } from './bmff-boxes.js';
import { CONTAINER_CONTENT_TYPE, SNIFF_BYTES, sniffVideo } from './video-signature.js';

/**
 * Uploads are stored as numbered parts of this size under `media/<id>/parts/`, because the BlobStore
 * port only takes whole buffers: parts keep memory per upload bounded however large the cap is. When
 * the port grows a streaming `put`, one object can replace the parts.
 */
export const PART_BYTES = 8 * 1024 * 1024;

/** The layout of a stored upload, written last as `media/<id>/manifest.json`. */
export interface StoredMedia {
  contentType: string;
  bytes: number;
  partBytes: number;
  parts: number;
}

export const mediaPrefix = (mediaId: string) => `media/${mediaId}/`;
const partKey = (mediaId: string, n: number) => `media/${mediaId}/parts/${String(n).padStart(5, '0')}`;
const manifestKey = (mediaId: string) => `media/${mediaId}/manifest.json`;

/**
 * Streams an upload into the blob store, at most `maxBytes`: the first bytes must look like a video
 * (Invalid otherwise), an MP4 or MOV must be whole (its top-level box sizes add up to its length), and
 * one byte over the cap throws `tooLarge()` (PayloadTooLarge naming the cap by default). Nothing is kept
 * on failure. `truncated` reports a source that stopped early because a lower layer hit the cap.
 */
export async function storeUpload(
  blobs: BlobStore,
  mediaId: string,
  source: AsyncIterable<Buffer>,
  maxBytes: number,
  truncated: () => boolean = () => false,
  tooLarge: () => Error = () => overCap(maxBytes),
): Promise<StoredMedia> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let total = 0;
  let parts = 0;
  let contentType: string | undefined;
  // MP4 and MOV are walked box by box as they arrive; Matroska/WebM are only sniffed.
  let boxes: BmffWalker | undefined;

  const checkHead = (final: boolean) => {
    if (contentType || (!final && pendingBytes < SNIFF_BYTES)) return;
    const container = sniffVideo(Buffer.concat(pending));
    if (!container)
      throw new Invalid('The file is not a video: expected an MP4, MOV, WebM or Matroska file.');
    contentType = CONTAINER_CONTENT_TYPE[container];
    if (container === 'mp4' || container === 'quicktime') {
      boxes = new BmffWalker();
      for (const chunk of pending) boxes.push(chunk);
    }
  };
  const flush = async (size: number) => {
    const all = Buffer.concat(pending);
    await blobs.put(partKey(mediaId, parts++), all.subarray(0, size), 'application/octet-stream');
    pending = all.length > size ? [all.subarray(size)] : [];
    pendingBytes = all.length - size;
  };

  try {
    for await (const chunk of source) {
      total += chunk.length;
      if (total > maxBytes) throw tooLarge();
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (boxes) boxes.push(chunk);
      else checkHead(false);
      while (pendingBytes >= PART_BYTES) await flush(PART_BYTES);
    }
    if (truncated()) throw tooLarge();
    checkHead(true);
    const broken = boxes?.finish();
    if (broken) throw new Invalid(`The file is not a whole MP4/MOV video: ${broken}.`);
    if (pendingBytes > 0) await flush(pendingBytes);
    const stored: StoredMedia = { contentType: contentType!, bytes: total, partBytes: PART_BYTES, parts };
    await blobs.put(manifestKey(mediaId), Buffer.from(JSON.stringify(stored)), 'application/json');
    return stored;
  } catch (err) {
    await blobs.delete(mediaPrefix(mediaId)).catch(() => {});
    throw err;
  }
}

/** The stored upload's bytes, part by part, or undefined when nothing complete is stored. */
export async function readUpload(
  blobs: BlobStore,
  mediaId: string,
): Promise<{ manifest: StoredMedia; parts: AsyncIterable<Buffer> } | undefined> {
  const blob = await blobs.get(manifestKey(mediaId));
  if (!blob) return undefined;
  const manifest = JSON.parse(blob.bytes.toString('utf8')) as StoredMedia;
  async function* parts() {
    for (let n = 0; n < manifest.parts; n++) {
      const part = await blobs.get(partKey(mediaId, n));
      if (!part) throw new Error(`media ${mediaId}: part ${n} is missing`);
      yield part.bytes;
    }
  }
  return { manifest, parts: parts() };
}

function overCap(maxBytes: number): PayloadTooLarge {
  return new PayloadTooLarge(`The file is larger than the upload limit of ${maxBytes} bytes.`);
}
