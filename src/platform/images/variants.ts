/** The resized renditions Pinterest v5 returns in `media.images` (ImageSize). */
export type SizedVariantName = '150x150' | '400x300' | '600x' | '1200x';

/** Every stored rendition: the sized ones plus the cleaned full-size original. */
export type VariantName = SizedVariantName | 'originals';

/**
 * `crop` variants are centre crops to a fixed aspect ratio (thumbnails in a grid, board covers);
 * `width` variants keep the whole picture and its aspect ratio, bounded by width only (the feed). This
 * follows the v5 spec's ImageSize example: for a square pin, 600x is 600×600 but 400x300 is 400×300, so
 * 400x300 must be a crop, not a fit.
 */
export type VariantSpec =
  | { readonly kind: 'crop'; readonly width: number; readonly height: number }
  | { readonly kind: 'width'; readonly width: number };

/** The sized variants, smallest first. */
export const VARIANTS: Readonly<Record<SizedVariantName, VariantSpec>> = {
  '150x150': { kind: 'crop', width: 150, height: 150 },
  '400x300': { kind: 'crop', width: 400, height: 300 },
  '600x': { kind: 'width', width: 600 },
  '1200x': { kind: 'width', width: 1200 },
};

/**
 * The output size of a variant for a (correctly oriented) source, never upscaling: a source smaller
 * than the box gives the largest box-shaped crop it holds, so callers get honest dimensions instead of
 * blurry enlargements.
 */
export function variantSize(
  spec: VariantSpec,
  srcWidth: number,
  srcHeight: number,
): { width: number; height: number } {
  if (spec.kind === 'crop') {
    const k = Math.min(1, srcWidth / spec.width, srcHeight / spec.height);
    return {
      width: Math.max(1, Math.min(srcWidth, Math.round(spec.width * k))),
      height: Math.max(1, Math.min(srcHeight, Math.round(spec.height * k))),
    };
  }
  const width = Math.min(srcWidth, spec.width);
  return { width, height: Math.max(1, Math.round((srcHeight * width) / srcWidth)) };
}
