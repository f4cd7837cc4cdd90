import type { Config } from '../../platform/config.js';
import { Invalid, PayloadTooLarge } from '../../platform/errors.js';
import { ImageRejected } from '../../platform/images/image-rejected.js';
import { readImageHeader } from '../../platform/images/process-image.js';
import { FetchRefused } from '../../platform/net/fetch-refused.js';
import { safeFetch } from '../../platform/net/safe-fetch.js';

/** Bytes of one image the client sent or pointed at, checked to be an image within the limits. */
export interface IncomingImage {
  bytes: Buffer;
  sourceUrl: string | null;
  title?: string;
  description?: string;
  link?: string;
}

type Limits = Pick<Config, 'imageMaxBytes' | 'imageMaxPixels' | 'fetchTimeoutMs' | 'fetchAllowHosts'>;

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
    await readImageHeader(bytes, limits.imageMaxPixels);
  } catch (err) {
    throw rejected(err, what);
  }
}

/** Fetches an image URL (never a private address) and checks it. */
export async function fromUrl(
  url: string,
  limits: Limits,
  what = 'media_source.url',
): Promise<IncomingImage> {
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
