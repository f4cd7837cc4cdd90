import { describe, expect, it } from 'vitest';
import { VARIANTS, variantSize } from '../../src/platform/images/variants.js';

describe('variantSize', () => {
  it.each([
    // [variant, source w, source h, expected w, expected h]
    ['150x150', 2000, 1500, 150, 150],
    ['150x150', 100, 400, 100, 100],
    ['150x150', 40, 30, 30, 30],
    ['400x300', 2000, 1500, 400, 300],
    ['400x300', 1000, 3000, 400, 300],
    ['400x300', 200, 1000, 200, 150],
    ['400x300', 800, 100, 133, 100],
    ['600x', 2000, 1500, 600, 450],
    ['600x', 1000, 3000, 600, 1800],
    ['600x', 300, 200, 300, 200],
    ['1200x', 2000, 1500, 1200, 900],
    ['1200x', 1200, 1200, 1200, 1200],
    ['1200x', 5000, 1, 1200, 1],
  ] as const)('%s of %ix%i is %ix%i', (name, sw, sh, w, h) => {
    expect(variantSize(VARIANTS[name], sw, sh)).toEqual({ width: w, height: h });
  });

  it('never exceeds the source in either dimension', () => {
    for (const spec of Object.values(VARIANTS)) {
      for (const [sw, sh] of [
        [1, 1],
        [7, 3000],
        [3000, 7],
        [151, 149],
        [401, 299],
      ] as const) {
        const out = variantSize(spec, sw, sh);
        expect(out.width).toBeLessThanOrEqual(sw);
        expect(out.height).toBeLessThanOrEqual(sh);
        expect(Math.min(out.width, out.height)).toBeGreaterThanOrEqual(1);
      }
    }
  });
});
