import type { ImageVariant, Pin } from './types.js';

/** The picture to show at about `width` CSS pixels: the smallest variant at least that wide (×dpr). */
export function pickImage(pin: Pin, width: number): ImageVariant | undefined {
  const images = Object.entries(pin.media?.images ?? {})
    .filter(([key]) => key !== '150x150' && key !== '400x300')
    .map(([, v]) => v)
    .sort((a, b) => a.width - b.width);
  const want = width * (globalThis.devicePixelRatio || 1);
  return images.find((v) => v.width >= want) ?? images[images.length - 1] ?? pin.media?.images?.['400x300'];
}

/** The picture's full width and height (its aspect ratio), from the largest uncropped variant. */
export function naturalSize(pin: Pin): { width: number; height: number } {
  const v = pin.media?.images?.['1200x'] ?? pin.media?.images?.['600x'] ?? pickImage(pin, 0);
  return v ? { width: v.width, height: v.height } : { width: 1, height: 1 };
}

/** A pin's link, if it is one a browser should follow (http or https only). */
export function safeLink(pin: Pin): string | undefined {
  if (!pin.link) return undefined;
  try {
    const u = new URL(pin.link);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

/** The host a link goes to, for its label. */
export function linkHost(link: string): string {
  return new URL(link).hostname.replace(/^www\./, '');
}

/** A CSS colour from the API's `#RRGGBB`, or a neutral one. */
export function placeholderColor(pin: Pin): string {
  return pin.dominant_color && /^#[0-9a-fA-F]{6}$/.test(pin.dominant_color) ? pin.dominant_color : '#e4e0d8';
}
