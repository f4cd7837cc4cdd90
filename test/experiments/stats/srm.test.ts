import { describe, expect, it } from 'vitest';
import { SRM_ALARM_P, srmTest } from '../../../src/modules/experiments/stats/index.js';
import { prng } from './random.js';

describe('sample-ratio mismatch alarm', () => {
  it('fires on a 50.5/49.5 split of 200,000 people configured 50/50', () => {
    const r = srmTest([101_000, 99_000], [50, 50]);
    expect(r.alarm).toBe(true);
    expect(r.pValue).toBeLessThan(SRM_ALARM_P);
  });

  it('stays quiet on an exact fair split', () => {
    const r = srmTest([100_000, 100_000], [50, 50]);
    expect(r.alarm).toBe(false);
    expect(r.pValue).toBe(1);
  });

  it('stays quiet on seeded fair draws of 200,000 people, two and three variants', () => {
    const uniform = prng(1607);
    const two = [0, 0];
    const three = [0, 0, 0];
    for (let i = 0; i < 200_000; i++) {
      two[uniform() < 0.5 ? 0 : 1]!++;
      const u = uniform();
      three[u < 0.2 ? 0 : u < 0.6 ? 1 : 2]!++;
    }
    // measured: 100,138/99,862 (p = 0.54) and 40,083/79,949/79,968 (p = 0.90)
    expect(srmTest(two, [1, 1]).alarm).toBe(false);
    expect(srmTest(three, [20, 40, 40]).alarm).toBe(false);
  });

  it('a variant of weight 0 that received people is a certain mismatch', () => {
    const r = srmTest([500, 500, 3], [1, 1, 0]);
    expect(r).toMatchObject({ pValue: 0, alarm: true, df: 1 });
    expect(srmTest([500, 510, 0], [1, 1, 0]).alarm).toBe(false);
  });

  it('no exposures, or one variant, is nothing to test', () => {
    expect(srmTest([0, 0], [1, 1])).toEqual({ statistic: 0, df: 1, pValue: 1, alarm: false });
    expect(srmTest([42], [1])).toEqual({ statistic: 0, df: 0, pValue: 1, alarm: false });
  });

  it('mismatched lists are a caller bug and throw', () => {
    expect(() => srmTest([1, 2], [1])).toThrow(RangeError);
    expect(() => srmTest([1, 2], [1, -1])).toThrow(RangeError);
  });
});
