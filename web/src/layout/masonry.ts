/** One item to place: its picture's width and height (any unit; only the ratio counts). */
export interface MasonryItem {
  width: number;
  height: number;
  /** Height in CSS pixels below the picture (the title line), the same whatever the column width. */
  footer?: number;
}

export interface MasonryOptions {
  /** Width of the container in CSS pixels. */
  containerWidth: number;
  /** Narrowest a column may be. */
  minColumnWidth: number;
  /** Gap between columns and between items of a column. */
  gap: number;
  /** Most columns, however wide the container. */
  maxColumns?: number;
}

export interface Placed {
  x: number;
  y: number;
  width: number;
  /** Height of the picture alone. */
  imageHeight: number;
  /** Height of the whole item (picture and footer). */
  height: number;
  column: number;
}

export interface MasonryLayout {
  columns: number;
  columnWidth: number;
  items: Placed[];
  /** Height of the tallest column: the container's height. */
  height: number;
}

/** Aspect ratio (height / width) used for an item whose size is unknown or nonsense. */
const FALLBACK_RATIO = 1;
/** Pictures taller than this many widths are cut, so one pin cannot fill a screen. */
export const MAX_RATIO = 3;

/** How many columns fit `containerWidth`: at least one, at most `max`. */
export function columnCount(containerWidth: number, minColumnWidth: number, gap: number, max = 8): number {
  const fit = Math.floor((containerWidth + gap) / (minColumnWidth + gap));
  return Math.max(1, Math.min(max, fit));
}

/** The height of an item's picture at `columnWidth`, from its known aspect ratio. */
export function imageHeightAt(item: MasonryItem, columnWidth: number): number {
  const ratio =
    item.width > 0 && item.height > 0 && Number.isFinite(item.height / item.width)
      ? Math.min(item.height / item.width, MAX_RATIO)
      : FALLBACK_RATIO;
  return Math.round(columnWidth * ratio);
}

/**
 * Lays items out in columns, each into the shortest column so far (leftmost on a tie), from their known
 * aspect ratios alone: nothing moves when the pictures arrive. Appending items leaves every earlier
 * item where it was, so an endless list only ever grows below.
 */
export function layoutMasonry(items: readonly MasonryItem[], options: MasonryOptions): MasonryLayout {
  const { containerWidth, minColumnWidth, gap } = options;
  const columns = columnCount(containerWidth, minColumnWidth, gap, options.maxColumns);
  const columnWidth = Math.max(0, Math.floor((containerWidth - gap * (columns - 1)) / columns));
  const heights = new Array<number>(columns).fill(0);
  const placed: Placed[] = [];
  for (const item of items) {
    let column = 0;
    for (let c = 1; c < columns; c++) if (heights[c]! < heights[column]!) column = c;
    const imageHeight = imageHeightAt(item, columnWidth);
    const height = imageHeight + (item.footer ?? 0);
    const y = heights[column]!;
    placed.push({ x: column * (columnWidth + gap), y, width: columnWidth, imageHeight, height, column });
    heights[column] = y + height + gap;
  }
  const tallest = Math.max(0, ...heights);
  return { columns, columnWidth, items: placed, height: items.length ? tallest - gap : 0 };
}
