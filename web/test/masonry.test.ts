import { describe, expect, it } from 'vitest';
import { columnCount, imageHeightAt, layoutMasonry, MAX_RATIO } from '../src/layout/masonry.js';

const opts = { containerWidth: 1000, minColumnWidth: 236, gap: 16 };

describe('masonry layout', () => {
  it('fits as many columns as the width allows, at least one', () => {
    expect(columnCount(1000, 236, 16)).toBe(4);
    expect(columnCount(358, 160, 12)).toBe(2);
    expect(columnCount(100, 236, 16)).toBe(1);
    expect(columnCount(10_000, 236, 16, 6)).toBe(6);
  });

  it('sizes pictures from their aspect ratio, caps very tall ones and guesses square for unknown sizes', () => {
    expect(imageHeightAt({ width: 360, height: 540 }, 200)).toBe(300);
    expect(imageHeightAt({ width: 100, height: 1000 }, 200)).toBe(200 * MAX_RATIO);
    expect(imageHeightAt({ width: 0, height: 0 }, 200)).toBe(200);
    expect(imageHeightAt({ width: Number.NaN, height: 5 }, 200)).toBe(200);
  });

  it('puts each item in the shortest column, leftmost on a tie', () => {
    const layout = layoutMasonry(
      [
        { width: 1, height: 2 },
        { width: 1, height: 1 },
        { width: 1, height: 1 },
        { width: 1, height: 1 },
        { width: 1, height: 1 },
      ],
      opts,
    );
    expect(layout.columns).toBe(4);
    expect(layout.columnWidth).toBe(238);
    expect(layout.items.map((i) => i.column)).toEqual([0, 1, 2, 3, 1]);
    expect(layout.items[4]).toMatchObject({ x: 238 + 16, y: 238 + 16 });
    expect(layout.height).toBe(238 + 16 + 238);
  });

  it('adds the fixed footer below the picture', () => {
    const layout = layoutMasonry([{ width: 2, height: 1, footer: 40 }], opts);
    expect(layout.items[0]).toMatchObject({ imageHeight: 119, height: 159 });
    expect(layout.height).toBe(159);
  });

  it('keeps every placed item where it was when more are appended (no reflow on the next page)', () => {
    const first = Array.from({ length: 30 }, (_, i) => ({ width: 300, height: 200 + ((i * 137) % 400) }));
    const more = Array.from({ length: 30 }, (_, i) => ({ width: 300, height: 250 + ((i * 71) % 300) }));
    const before = layoutMasonry(first, opts);
    const after = layoutMasonry([...first, ...more], opts);
    expect(after.items.slice(0, 30)).toEqual(before.items);
    expect(after.height).toBeGreaterThan(before.height);
  });

  it('lays out nothing as an empty grid', () => {
    expect(layoutMasonry([], opts)).toMatchObject({ items: [], height: 0 });
  });
});
