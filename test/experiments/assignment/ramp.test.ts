import { describe, expect, it } from 'vitest';
import {
  assignInLayer,
  BUCKETS,
  compileLayer,
  HashStream,
  seedOf,
  UnitKey,
} from '../../../src/modules/experiments/assignment/index.js';
import { srmTest } from '../../../src/modules/experiments/stats/index.js';
import { contingency, figure, zeros } from './chi-square.js';
import { makeExperiment, makeLayer, makeUnits } from './factories.js';

const N = 100_000;
const units = makeUnits(N, 7);
const keys = units.map((u) => new UnitKey(u.id));
const RAMPS = [100, 500, 2000, 5000, BUCKETS];
const WEIGHTS = [2, 1, 1];

/** Each unit's variant index (−1 for none) at each ramp, the experiment otherwise the same. */
const byRamp = RAMPS.map((ramp) => {
  const layer = compileLayer(makeLayer('layer', [makeExperiment({ key: 'e', weights: WEIGHTS, ramp })]));
  return Int8Array.from(keys, (k, i) => assignInLayer(k, units[i]!, layer)?.variantIndex ?? -1);
});

describe('ramp-up', () => {
  it('keeps every unit assigned at 1%, 5%, 20% and 50% in the same variant at every higher ramp', () => {
    const moved: number[] = [];
    const dropped: number[] = [];
    for (let r = 0; r < RAMPS.length - 1; r++) {
      let m = 0;
      let d = 0;
      for (let i = 0; i < N; i++) {
        const v = byRamp[r]![i]!;
        if (v < 0) continue;
        for (let s = r + 1; s < RAMPS.length; s++) {
          const w = byRamp[s]![i]!;
          if (w < 0) d++;
          else if (w !== v) m++;
        }
      }
      moved.push(m);
      dropped.push(d);
    }
    figure('ramp moved/dropped per starting ramp', { moved, dropped });
    expect(moved).toEqual([0, 0, 0, 0]);
    expect(dropped).toEqual([0, 0, 0, 0]);
  });

  it('includes each ramp share of units within sampling error, split by the weights at every ramp', () => {
    const shares: { ramp: number; included: number; pIncluded: number; counts: number[]; pSplit: number }[] =
      [];
    for (let r = 0; r < RAMPS.length; r++) {
      const counts = [0, 0, 0];
      for (const v of byRamp[r]!) if (v >= 0) counts[v]!++;
      const included = counts.reduce((s, c) => s + c, 0);
      const ramp = RAMPS[r]!;
      const pIncluded =
        ramp === BUCKETS
          ? included === N
            ? 1
            : 0
          : srmTest([included, N - included], [ramp, BUCKETS - ramp]).pValue;
      shares.push({ ramp, included, pIncluded, counts, pSplit: srmTest(counts, WEIGHTS).pValue });
    }
    figure('ramp shares', shares);
    for (const s of shares) {
      expect(s.pIncluded).toBeGreaterThan(0.001);
      expect(s.pSplit).toBeGreaterThan(0.001);
    }
    // At 100% everyone is in, balanced 50/25/25.
    expect(shares.at(-1)!.included).toBe(N);
  });

  it('draws the variant independently of the ramp hash (ramp decile × variant, p > 0.001)', () => {
    // Were they correlated, the first 1% would lean to one variant and ramping would shift the split.
    const rampSeed = seedOf('e-salt', HashStream.ramp);
    const table = zeros(10, 3);
    for (let i = 0; i < N; i++)
      table[Math.floor((keys[i]!.hash(rampSeed) % BUCKETS) / 1000)]![byRamp.at(-1)![i]!]!++;
    const test = contingency(table);
    figure('ramp hash x variant', test);
    expect(test.p).toBeGreaterThan(0.001);
  });

  it('gives units removed by a ramp-down their old variant when the ramp goes up again', () => {
    // The definition is the only state: 50% → 5% → 50% is the 50% assignment again.
    const layer = (ramp: number) =>
      compileLayer(makeLayer('layer', [makeExperiment({ key: 'e', weights: WEIGHTS, ramp })]));
    const again = layer(5000);
    let differ = 0;
    for (let i = 0; i < N; i++)
      if ((assignInLayer(keys[i]!, units[i]!, again)?.variantIndex ?? -1) !== byRamp[3]![i]) differ++;
    expect(differ).toBe(0);
  });
});
