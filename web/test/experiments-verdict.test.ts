import { describe, expect, it } from 'vitest';
import type { Comparison } from '../src/api/experiments.js';
import { formatP, weightShares } from '../src/pages/experiments/format.js';
import { plotDomain, sequentialVerdict, verdictOf } from '../src/pages/experiments/verdict.js';

/** A comparison with the fields the page reads. */
function comparison(o: {
  estimate: number | null;
  lower: number | null;
  upper: number | null;
  significant?: boolean;
  seqP?: number | null;
  seqSignificant?: boolean;
  looks?: number;
}): Comparison {
  const range = { lower: o.lower, upper: o.upper };
  return {
    variant: 'treatment',
    against: 'control',
    fixed_horizon: {
      test: 'welch',
      difference: o.estimate,
      standard_error: null,
      interval: range,
      relative: { test: 'relative', estimate: o.estimate, interval: range },
      statistic: null,
      df: null,
      p_value: null,
      holm_p_value: null,
      holm_test: 'holm',
      significant: o.significant ?? false,
    },
    power: { test: 'power', minimum_effect: null, power: null },
    cuped: null,
    sequential: {
      test: 'msprt',
      tau2: null,
      looks: o.looks ?? 1,
      p_value: o.seqP === undefined ? 0.5 : o.seqP,
      confidence_sequence: { lower: null, upper: null },
      significant: o.seqSignificant ?? false,
    },
    guardrail_alarm: false,
  };
}

describe('verdicts of a comparison', () => {
  it('is better or worse only when significant, by the metric direction', () => {
    const up = comparison({ estimate: 0.2, lower: 0.1, upper: 0.3, significant: true });
    expect(verdictOf(up, true)).toBe('better');
    expect(verdictOf(up, false)).toBe('worse');
    const down = comparison({ estimate: -0.2, lower: -0.3, upper: -0.1, significant: true });
    expect(verdictOf(down, true)).toBe('worse');
    expect(verdictOf(down, false)).toBe('better');
    expect(verdictOf(comparison({ estimate: 0.2, lower: -0.1, upper: 0.5 }), true)).toBe('unclear');
    expect(verdictOf(comparison({ estimate: null, lower: null, upper: null }), true)).toBe('none');
  });

  it("writes the sequential test's verdict from the API's flag and p-value", () => {
    expect(
      sequentialVerdict(
        comparison({ estimate: 1, lower: 0, upper: 2, seqP: 0.004, seqSignificant: true, looks: 3 }),
      ),
    ).toBe('Significant: always-valid p = 0.004 after 3 looks.');
    expect(sequentialVerdict(comparison({ estimate: 1, lower: 0, upper: 2, seqP: 0.35, looks: 1 }))).toBe(
      'Not significant yet: always-valid p = 0.35 after 1 look.',
    );
    expect(sequentialVerdict(comparison({ estimate: null, lower: null, upper: null, seqP: null }))).toBe(
      'No verdict yet: not enough data.',
    );
  });
});

describe('the interval plot domain', () => {
  it('holds every interval and zero, with room at both ends', () => {
    const [lo, hi] = plotDomain([
      comparison({ estimate: 0.2, lower: 0.1, upper: 0.3 }),
      comparison({ estimate: 0.05, lower: -0.05, upper: 0.15 }),
    ]);
    expect(lo).toBeLessThan(-0.05);
    expect(hi).toBeGreaterThan(0.3);
    expect(lo).toBeCloseTo(-0.085);
    expect(hi).toBeCloseTo(0.335);
  });

  it('keeps zero in view when every interval is on one side, and has a width without data', () => {
    const [lo] = plotDomain([comparison({ estimate: 0.5, lower: 0.4, upper: 0.6 })]);
    expect(lo).toBeLessThan(0);
    expect(plotDomain([comparison({ estimate: null, lower: null, upper: null })])).toEqual([-0.1, 0.1]);
  });
});

describe('numbers of the experiment pages', () => {
  it('writes tiny p-values as a bound and others with two significant digits', () => {
    expect(formatP(0.00001)).toBe('< 0.0001');
    expect(formatP(0.012345)).toBe('0.012');
    expect(formatP(null)).toBe('—');
  });

  it('turns weights into shares', () => {
    const v = (weight: number) => ({ key: String(weight), weight, parameters: [] });
    expect(weightShares({ variants: [v(1), v(3)] })).toEqual([0.25, 0.75]);
    expect(weightShares({ variants: [v(0), v(0)] })).toEqual([0, 0]);
  });
});
