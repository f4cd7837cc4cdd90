import type { Static } from 'typebox';
import type { Config } from '../../platform/config.js';
import { Invalid, PayloadTooLarge } from '../../platform/errors.js';
import { ImageRejected } from '../../platform/images/image-rejected.js';
import { verifyImage } from '../../platform/images/process-image.js';
import { FetchRefused } from '../../platform/net/fetch-refused.js';
import { safeFetch } from '../../platform/net/safe-fetch.js';
import { type OwnMedia, ownImageBlobKey } from './own-media.js';
import type { MediaSource } from './pins.schemas.js';

/** Bytes of one image the client sent or pointed at, checked to be an image within the limits. */
export interface IncomingImage {
  bytes: Buffer;
  sourceUrl: string | null;
  title?: string;
  description?: string;
  link?: string;
}

/** The settings that bound what intake accepts. */
export type Limits = Pick<Config, 'imageMaxBytes' | 'imageMaxPixels' | 'fetchTimeoutMs' | 'fetchAllowHosts'>;

/** Maps the pipeline's refusals to the errors a client sees. */
function rejected(err: unknown, what: string): Error {
  if (err instanceof ImageRejected) {
    return err.reason === 'too-large'
      ? new PayloadTooLarge(`${what}: ${err.message}`)
      : new Invalid(`${what}: ${err.message}`);
  }
  if (err instanceof FetchRefused) {
    return err.reason === 'too-large'
      ? new PayloadTooLarge(`${what}: ${err.message}`)
      : new Invalid(`${what}: ${err.message}`);
  }
  return err as Error;
}

async function check(bytes: Buffer, limits: Limits, what: string): Promise<void> {
  if (bytes.length > limits.imageMaxBytes)
    throw new PayloadTooLarge(`${what}: the image is larger than ${limits.imageMaxBytes} bytes.`);
  try {
    // A full decode, not a header probe: an image missing its tail has a perfectly good header.
    await verifyImage(bytes, limits.imageMaxPixels);
  } catch (err) {
    throw rejected(err, what);
  }
}

/**
 * Fetches an image URL (never a private address) and checks it. An image URL of this server's own (see
 * ownImageBlobKey) is read from its blob store instead: the very bytes GET on that URL answers, checked
 * the same way.
 */
export async function fromUrl(
  url: string,
  limits: Limits,
  own: OwnMedia,
  what = 'media_source.url',
): Promise<IncomingImage> {
  const blobKey = ownImageBlobKey(url, own.publicUrl);
  if (blobKey !== undefined) {
    const blob = await own.blobs.get(blobKey);
    if (!blob) throw new Invalid(`${what}: ${new URL(url).host} answered with HTTP status 404.`);
    await check(blob.bytes, limits, what);
    return { bytes: blob.bytes, sourceUrl: url };
  }
  let body: Buffer;
  let finalUrl: string;
  try {
    ({ body, finalUrl } = await safeFetch(url, {
      timeoutMs: limits.fetchTimeoutMs,
      maxBytes: limits.imageMaxBytes,
      allowHosts: limits.fetchAllowHosts,
      accept: 'image/*',
    }));
  } catch (err) {
    throw rejected(err, what);
  }
  await check(body, limits, what);
  return { bytes: body, sourceUrl: finalUrl };
}

/** Decodes base64 image data and checks it. */
export async function fromBase64(
  data: string,
  limits: Limits,
  what = 'media_source.data',
): Promise<IncomingImage> {
  const compact = data.replace(/\s+/g, '');
  if (compact.length > Math.ceil((limits.imageMaxBytes * 4) / 3) + 4) {
    throw new PayloadTooLarge(`${what}: the image is larger than ${limits.imageMaxBytes} bytes.`);
  }
  if (compact.length % 4 === 1) throw new Invalid(`${what} is not valid base64.`);
  const bytes = Buffer.from(compact, 'base64');
  await check(bytes, limits, what);
  return { bytes, sourceUrl: null };
}

const PAGE_MAX_BYTES = 2 * 1024 * 1024;

/** The attributes of each `<meta>` and `<link>` tag in an HTML page (lower-cased names). */
function tags(html: string, name: 'meta' | 'link'): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const m of html.matchAll(new RegExp(`<${name}\\b([^>]*)>`, 'gi'))) {
    const attrs: Record<string, string> = {};
    for (const a of (m[1] ?? '').matchAll(/([a-zA-Z:-]+)\s*=\s*("([^"]*)"|'([^']*)'|([^\s"'>]+))/g)) {
      attrs[a[1]!.toLowerCase()] = a[3] ?? a[4] ?? a[5] ?? '';
    }
    out.push(attrs);
  }
  return out;
}

/** The page's preview image, as sharing cards find it: og:image, then twitter:image, then image_src. */
export function previewImageUrl(html: string, pageUrl: string): string | undefined {
  const metas = tags(html, 'meta');
  const find = (key: string) =>
    metas.find((m) => (m.property ?? m.name)?.toLowerCase() === key && m.content)?.content;
  const found =
    find('og:image:secure_url') ??
    find('og:image') ??
    find('og:image:url') ??
    find('twitter:image') ??
    tags(html, 'link').find((l) => l.rel?.toLowerCase() === 'image_src' && l.href)?.href;
  if (!found) return undefined;
  try {
    return new URL(found.replace(/&amp;/g, '&'), pageUrl).toString();
  } catch {
    return undefined;
  }
}

/** `pin_url`: fetches the page at `link` and pins its preview image. */
export async function fromPage(
  link: string | null | undefined,
  limits: Limits,
  own: OwnMedia,
): Promise<IncomingImage> {
  if (!link) throw new Invalid("media_source pin_url needs the Pin's link: the page whose image to pin.");
  let page: { body: Buffer; finalUrl: string };
  try {
    page = await safeFetch(link, {
      timeoutMs: limits.fetchTimeoutMs,
      maxBytes: PAGE_MAX_BYTES,
      allowHosts: limits.fetchAllowHosts,
      accept: 'text/html,application/xhtml+xml',
    });
  } catch (err) {
    throw rejected(err, 'link');
  }
  const imageUrl = previewImageUrl(page.body.toString('utf8'), page.finalUrl);
  if (!imageUrl) throw new Invalid('link: the page has no preview image (og:image) to pin.');
  return fromUrl(imageUrl, limits, own, "the page's og:image");
}

/**
 * The images of a new pin from its media source, each fetched (or, for this server's own image URLs, read
 * from `own`) or decoded, and checked.
 */
export async function intake(
  source: Static<typeof MediaSource>,
  link: string | null | undefined,
  limits: Limits,
  own: OwnMedia,
): Promise<IncomingImage[]> {
  switch (source.source_type) {
    case 'image_url':
      return [await fromUrl(source.url, limits, own)];
    case 'image_base64':
      return [await fromBase64(source.data, limits)];
    case 'multiple_image_urls':
      return Promise.all(
        source.items.map(async (item, i) => ({
          ...(await fromUrl(item.url, limits, own, `media_source.items[${i}].url`)),
          ...pick(item),
        })),
      );
    case 'multiple_image_base64': {
      const out: IncomingImage[] = [];
      for (const [i, item] of source.items.entries()) {
        out.push({
          ...(await fromBase64(item.data, limits, `media_source.items[${i}].data`)),
          ...pick(item),
        });
      }
      return out;
    }
    case 'pin_url':
      return [await fromPage(link, limits, own)];
    case 'video_id':
      throw new Invalid('Video Pins are not supported yet: media uploads are accepted but cannot be pinned.');
  }
}

function pick(item: { title?: string; description?: string; link?: string }) {
  return {
    ...(item.title !== undefined ? { title: item.title } : {}),
    ...(item.description !== undefined ? { description: item.description } : {}),
    ...(item.link !== undefined ? { link: item.link } : {}),
  };
}
