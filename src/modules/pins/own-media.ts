import type { BlobStore } from '../../platform/images/blob-store.js';

/**
 * Corkboard's own image files, read from its blob store when a pin names one by URL: copying a pin or a
 * board from `media.images[...].url` needs no network fetch (the URL is this server's own, often a private
 * address safeFetch rightly refuses).
 */
export interface OwnMedia {
  /** PUBLIC_URL: the origin (and any base path) this server's image URLs are built on. */
  readonly publicUrl: string;
  readonly blobs: BlobStore;
}

/** The image file route's own patterns (`/media/images/:key/:file` in pins.routes.ts). */
export const IMAGE_KEY = /^[0-9a-f]{32}$/;
export const IMAGE_FILE = /^[0-9a-z]+\.(?:jpg|png|webp|gif)$/;

/**
 * An own image URL is written plainly, as ImagesService.sizes writes it: no percent-encoding, no
 * backslashes, no query, fragment, credentials or white space. Anything else is not one, whatever the URL
 * parser would make of it.
 */
const PLAIN = /^[A-Za-z0-9:/._\-[\]]+$/;
/** A `.` or `..` path segment (the parser would resolve it away; an own URL never has one). */
const DOT_SEGMENT = /\/\.\.?(?:\/|$)/;

/**
 * The blob key (`images/<key>/<file>`) of an image URL this server serves under PUBLIC_URL, or undefined
 * for any other URL, which is then fetched (and guarded) as before. The URL must have PUBLIC_URL's origin
 * (scheme, host and port, compared parsed) and exactly the path `<base>/media/images/<32 hex>/<file>`; every
 * file the route serves qualifies, the sized variants and `originals.*` alike.
 */
export function ownImageBlobKey(raw: string, publicUrl: string): string | undefined {
  if (!PLAIN.test(raw) || DOT_SEGMENT.test(raw)) return undefined;
  let url: URL;
  let base: URL;
  try {
    url = new URL(raw);
    base = new URL(publicUrl);
  } catch {
    return undefined;
  }
  if (url.origin === 'null' || url.origin !== base.origin) return undefined;
  if (url.username || url.password || url.search || url.hash) return undefined;
  const prefix = `${base.pathname.replace(/\/+$/, '')}/media/images/`;
  if (!url.pathname.startsWith(prefix)) return undefined;
  const parts = url.pathname.slice(prefix.length).split('/');
  if (parts.length !== 2) return undefined;
  const [key, file] = parts as [string, string];
  if (!IMAGE_KEY.test(key) || !IMAGE_FILE.test(file)) return undefined;
  return `images/${key}/${file}`;
}
