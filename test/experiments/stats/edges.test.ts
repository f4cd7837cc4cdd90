import { describe, expect, it } from 'vitest';
import {
  alwaysValid,
  cupedFit,
  cupedTest,
  momentsOf,
  msprtLook,
  power,
  ratioTest,
  SEQUENTIAL_START,
  sampleSize,
  sequentialUpdate,
  welchTest,
} from '../../../src/modules/experiments/stats/index.js';

const EMPTY = { n: 0, sum: 0, sumSquares: 0 };
const ONE = { n: 1, sum: 4, sumSquares: 16 };
const CONSTANT = { n: 50, sum: 100, sumSquares: 200 };
const VARIED = { n: 50, sum: 120, sumSquares: 400 };

/** Every inferential number of a comparison is NaN; none claims significance. */
function expectUndefinedInference(r: ReturnType<typeof welchTest>) {
  expect(r.statistic).toBeNaN();
  expect(r.pValue).toBeNaN();
  expect(r.df).toBeNaN();
  expect(r.interval.lower).toBeNaN();
  expect(r.interval.upper).toBeNaN();
  expect(r.relative.standardError).toBeNaN();
  expect(r.pValue < 0.05).toBe(false);
}

describe('edge cases give defined answers, never a throw', () => {
  it('an empty variant: NaN mean and inference', () => {
    expect(momentsOf(EMPTY)).toEqual({ n: 0, mean: Number.NaN, variance: Number.NaN });
    const r = welchTest(EMPTY, VARIED);
    expect(r.difference).toBeNaN();
    expectUndefinedInference(r);
  });

  it('n < 2: the mean is known, the variance and inference are not', () => {
    expect(momentsOf(ONE)).toEqual({ n: 1, mean: 4, variance: Number.NaN });
    const r = welchTest(ONE, VARIED);
    expect(r.difference).toBeCloseTo(2.4 - 4, 12);
    expectUndefinedInference(r);
  });

  it('both variances zero: the difference is reported, the test is undefined', () => {
    const r = welchTest(CONSTANT, { n: 50, sum: 150, sumSquares: 450 });
    expect(r.difference).toBe(1);
    expect(r.relative.estimate).toBe(0.5);
    expectUndefinedInference(r);
  });

  it('one variance zero is fine: Welch uses the other', () => {
    const r = welchTest(CONSTANT, VARIED);
    expect(r.df).toBeCloseTo(49, 9);
    expect(r.pValue).toBeGreaterThan(0);
    expect(r.pValue).toBeLessThan(1);
  });

  it('a zero control mean leaves the relative difference NaN and the absolute one defined', () => {
    const r = welchTest({ n: 10, sum: 0, sumSquares: 4 }, VARIED);
    expect(r.relative.estimate).toBeNaN();
    expect(Number.isFinite(r.pValue)).toBe(true);
  });

  it('a ratio metric with no denominator is undefined', () => {
    const noImpressions = { n: 10, sumX: 0, sumY: 0, sumXX: 0, sumYY: 0, sumXY: 0 };
    const some = { n: 10, sumX: 3, sumY: 50, sumXX: 3, sumYY: 300, sumXY: 20 };
    expectUndefinedInference(ratioTest(noImpressions, some));
  });

  it('CUPED without pre-period variation is the plain test', () => {
    const control = { ...VARIED, sumPre: 0, sumPreSquares: 0, sumProducts: 0 };
    const treatment = { n: 40, sum: 130, sumSquares: 500, sumPre: 0, sumPreSquares: 0, sumProducts: 0 };
    expect(cupedFit([control, treatment])).toEqual({
      theta: 0,
      correlation: 0,
      varianceFactor: 1,
      preMean: 0,
    });
    expect(cupedTest(control, treatment).pValue).toBeCloseTo(welchTest(control, treatment).pValue, 14);
    expect(cupedFit([])).toEqual({ theta: 0, correlation: 0, varianceFactor: 1, preMean: 0 });
  });

  it('power with no variance, or no people, is NaN; a zero effect needs infinitely many people', () => {
    expect(
      power({ effect: 1, varianceControl: 0, varianceTreatment: 0, nControl: 10, nTreatment: 10 }),
    ).toBeNaN();
    expect(
      power({ effect: 1, varianceControl: 1, varianceTreatment: 1, nControl: 0, nTreatment: 0 }),
    ).toBeNaN();
    expect(sampleSize({ effect: 0, varianceControl: 1, varianceTreatment: 1 }).total).toBe(
      Number.POSITIVE_INFINITY,
    );
  });

  it('an undefined look leaves the sequential result where it was', () => {
    const none = { n: 1, mean: 3, variance: Number.NaN };
    expect(msprtLook(none, none, 0.04).pValue).toBeNaN();
    const state = sequentialUpdate(SEQUENTIAL_START, none, none, 0.04);
    expect(state).toEqual({ ...SEQUENTIAL_START, looks: 1 });
    const control = { n: 1000, mean: 3, variance: 4 };
    const treatment = { n: 1000, mean: 3.5, variance: 4 };
    const after = alwaysValid(
      [
        { control: none, treatment: none },
        { control, treatment },
        { control: none, treatment: none },
      ],
      0.04,
    );
    expect(after.looks).toBe(3);
    expect(after.pValue).toBe(msprtLook(control, treatment, 0.04).pValue);
    expect(after.interval).toEqual(msprtLook(control, treatment, 0.04).interval);
  });

  it('the always-valid p-value never rises and the confidence sequence never widens', () => {
    const control = { n: 1000, mean: 3, variance: 4 };
    let state = SEQUENTIAL_START;
    for (const mean of [3.3, 3.0, 3.1, 2.9, 3.2]) {
      const next = sequentialUpdate(state, control, { n: 1000, mean, variance: 4 }, 0.04);
      expect(next.pValue).toBeLessThanOrEqual(state.pValue);
      expect(next.interval.lower).toBeGreaterThanOrEqual(state.interval.lower);
      expect(next.interval.upper).toBeLessThanOrEqual(state.interval.upper);
      state = next;
    }
  });
});
