import { describe, expect, it } from 'vitest';
import {
  type Aggregate,
  type CupedAggregate,
  cupedFit,
  cupedMoments,
  cupedTest,
  mixingVariance,
  momentsOf,
  power,
  type RatioAggregate,
  ratioTest,
  SEQUENTIAL_START,
  sampleSize,
  sequentialUpdate,
  welchTest,
} from '../../../src/modules/experiments/stats/index.js';
import { drawAggregate, normals, prng } from './random.js';

/*
 * Simulated experiments on seeded draws: each experiment draws every person's value and sums them, as the
 * rollups do. With 1,000 experiments a rate's standard error is about √(p(1−p)/1000): 0.7 points at 5%,
 * 1.4 points at 70%, which is what the tolerances are measured against.
 */

const EXPERIMENTS = 1000;
const ALPHA = 0.05;

const add = (a: Aggregate, b: Aggregate): Aggregate => ({
  n: a.n + b.n,
  sum: a.sum + b.sum,
  sumSquares: a.sumSquares + b.sumSquares,
});

describe('fixed-horizon test on A/A experiments', () => {
  it(`rejects at α ± 1.5 points (${EXPERIMENTS} experiments, 500 people per variant)`, () => {
    const z = normals(1601);
    let rejected = 0;
    for (let e = 0; e < EXPERIMENTS; e++) {
      const r = welchTest(drawAggregate(z, 500, 3, 2), drawAggregate(z, 500, 3, 2));
      if (r.pValue < ALPHA) rejected++;
    }
    const rate = rejected / EXPERIMENTS;
    // measured: 0.055
    expect(Math.abs(rate - ALPHA)).toBeLessThanOrEqual(0.015);
  });
});

describe('sequential test with daily peeking', () => {
  const DAYS = 14;
  const PER_DAY = 200;
  const SD = 2;
  // The minimum effect of interest: 3.7 standard errors of the difference at the end of the fortnight.
  const tau2 = mixingVariance(0.2);

  /**
   * Runs experiments of 14 daily looks; counts those the mSPRT and the peeking Welch test ever reject, and
   * those whose confidence sequence held the true effect at every look.
   */
  function run(seed: number, effect: number) {
    const z = normals(seed);
    let sequential = 0;
    let peekingWelch = 0;
    let covered = 0;
    for (let e = 0; e < EXPERIMENTS; e++) {
      let control: Aggregate = { n: 0, sum: 0, sumSquares: 0 };
      let treatment: Aggregate = { n: 0, sum: 0, sumSquares: 0 };
      let state = SEQUENTIAL_START;
      let welchRejected = false;
      for (let day = 0; day < DAYS; day++) {
        control = add(control, drawAggregate(z, PER_DAY, 3, SD));
        treatment = add(treatment, drawAggregate(z, PER_DAY, 3 + effect, SD));
        state = sequentialUpdate(state, momentsOf(control), momentsOf(treatment), tau2, ALPHA);
        if (welchTest(control, treatment).pValue < ALPHA) welchRejected = true;
      }
      if (state.pValue < ALPHA) sequential++;
      if (welchRejected) peekingWelch++;
      // The running intersection holds the effect now only if every look's interval did.
      if (state.interval.lower <= effect && effect <= state.interval.upper) covered++;
    }
    return {
      sequential: sequential / EXPERIMENTS,
      peekingWelch: peekingWelch / EXPERIMENTS,
      coverage: covered / EXPERIMENTS,
    };
  }

  it('A/A: the always-valid p-value rejects at most α; the fixed-horizon test peeked daily does not', () => {
    const rates = run(1602, 0);
    // measured: mSPRT 0.017; Welch peeked 14 times 0.206
    expect(rates.sequential).toBeLessThanOrEqual(ALPHA);
    expect(rates.peekingWelch).toBeGreaterThan(0.1);
  });

  it('a real effect of the minimum size is still found by the sequential test', () => {
    const rates = run(1603, 0.2);
    // measured: 0.823 (Welch's power at day 14 alone would be 0.963: the price of looking every day)
    expect(rates.sequential).toBeGreaterThan(0.5);
    // The confidence sequence held 0.2 at all 14 looks in 1 − α of experiments or more. measured: 0.989
    expect(rates.coverage).toBeGreaterThanOrEqual(1 - ALPHA);
  });
});

describe('planted effect', () => {
  it('is detected at the power the power function predicts, within 5 points, and covered by the intervals', () => {
    const n = 800;
    const sd = 2;
    const effect = 0.25;
    const predicted = power({
      effect,
      varianceControl: sd * sd,
      varianceTreatment: sd * sd,
      nControl: n,
      nTreatment: n,
    });
    const z = normals(1604);
    let detected = 0;
    let absoluteCovered = 0;
    let relativeCovered = 0;
    for (let e = 0; e < EXPERIMENTS; e++) {
      const r = welchTest(drawAggregate(z, n, 5, sd), drawAggregate(z, n, 5 + effect, sd));
      if (r.pValue < ALPHA) detected++;
      if (r.interval.lower <= effect && effect <= r.interval.upper) absoluteCovered++;
      const relative = effect / 5;
      if (r.relative.interval.lower <= relative && relative <= r.relative.interval.upper) relativeCovered++;
    }
    const rate = detected / EXPERIMENTS;
    // measured: predicted 0.705, detected 0.710
    expect(predicted).toBeGreaterThan(0.6);
    expect(predicted).toBeLessThan(0.8);
    expect(Math.abs(rate - predicted)).toBeLessThanOrEqual(0.05);
    // The 95% intervals, absolute (Welch) and relative (delta method), cover the planted effect.
    // measured: 0.956 and 0.953
    expect(Math.abs(absoluteCovered / EXPERIMENTS - (1 - ALPHA))).toBeLessThanOrEqual(0.015);
    expect(Math.abs(relativeCovered / EXPERIMENTS - (1 - ALPHA))).toBeLessThanOrEqual(0.015);
  });
});

describe('sample size', () => {
  it('the people it asks for detect the effect at the target power, within 5 points', () => {
    const sd = 3;
    const effect = 0.3;
    const n = sampleSize({ effect, varianceControl: sd * sd, varianceTreatment: sd * sd, power: 0.8 });
    const z = normals(1608);
    let detected = 0;
    for (let e = 0; e < EXPERIMENTS; e++) {
      const r = welchTest(
        drawAggregate(z, n.control, 10, sd),
        drawAggregate(z, n.treatment, 10 + effect, sd),
      );
      if (r.pValue < ALPHA) detected++;
    }
    // measured: 1,570 per variant, detected in 0.786
    expect(Math.abs(detected / EXPERIMENTS - 0.8)).toBeLessThanOrEqual(0.05);
  });
});

/** n people whose metric Y has correlation ρ with their pre-period value X (both with sd 2). */
function drawCuped(z: () => number, n: number, rho: number, effect: number): CupedAggregate {
  let sum = 0;
  let sumSquares = 0;
  let sumPre = 0;
  let sumPreSquares = 0;
  let sumProducts = 0;
  const rest = Math.sqrt(1 - rho * rho);
  for (let i = 0; i < n; i++) {
    const pre = z();
    const x = 4 + 2 * pre;
    const y = 4 + effect + 2 * (rho * pre + rest * z());
    sum += y;
    sumSquares += y * y;
    sumPre += x;
    sumPreSquares += x * x;
    sumProducts += x * y;
  }
  return { n, sum, sumSquares, sumPre, sumPreSquares, sumProducts };
}

describe('CUPED variance reduction', () => {
  const RHO = 0.6;

  it('one large experiment: the variance falls to 1 − ρ² = 0.64 (±0.015, about 4 standard errors)', () => {
    // ρ̂'s standard error is about (1 − ρ²)/√N = 0.0032 with N = 40,000, so 1 − ρ̂² moves by about 0.004.
    const z = normals(1605);
    const control = drawCuped(z, 20_000, RHO, 0);
    const treatment = drawCuped(z, 20_000, RHO, 0.1);
    const fit = cupedFit([control, treatment]);
    for (const variant of [control, treatment]) {
      const ratio = cupedMoments(variant, fit).variance / momentsOf(variant).variance;
      expect(Math.abs(ratio - (1 - RHO * RHO))).toBeLessThanOrEqual(0.015);
      expect(Math.abs(ratio - fit.varianceFactor)).toBeLessThanOrEqual(0.005);
      // measured: 0.644 and 0.637; 1 − ρ̂² = 0.640
    }
  });

  it('across A/A experiments: the spread of the estimated difference shrinks by 1 − ρ², and the test keeps its level', () => {
    const z = normals(1606);
    let raw = 0;
    let adjusted = 0;
    let rejected = 0;
    for (let e = 0; e < EXPERIMENTS; e++) {
      const control = drawCuped(z, 500, RHO, 0);
      const treatment = drawCuped(z, 500, RHO, 0);
      const plain = welchTest(control, treatment).difference;
      const cuped = cupedTest(control, treatment);
      raw += plain * plain;
      adjusted += cuped.difference * cuped.difference;
      if (cuped.pValue < ALPHA) rejected++;
    }
    // The mean square of a zero-mean difference over 1,000 experiments has a standard error of 4.5%;
    // the two are strongly correlated, so their ratio is steadier. measured: ratio 0.618, FP 0.057
    const ratio = adjusted / raw;
    expect(Math.abs(ratio - (1 - RHO * RHO))).toBeLessThanOrEqual(0.05);
    expect(Math.abs(rejected / EXPERIMENTS - ALPHA)).toBeLessThanOrEqual(0.015);
  });
});

/**
 * n people's clicks over impressions: impressions 1 + geometric (mean about 10), each person with a
 * click-through rate of their own (0.01 to 0.31, skewed low), so clicks cluster by person as they do on a feed.
 */
function drawRatio(uniform: () => number, n: number): RatioAggregate {
  let sumX = 0;
  let sumY = 0;
  let sumXX = 0;
  let sumYY = 0;
  let sumXY = 0;
  for (let i = 0; i < n; i++) {
    const y = 1 + Math.floor(-9.5 * Math.log(1 - uniform()));
    const u = uniform();
    const ctr = 0.01 + 0.3 * u * u;
    let x = 0;
    for (let k = 0; k < y; k++) if (uniform() < ctr) x++;
    sumX += x;
    sumY += y;
    sumXX += x * x;
    sumYY += y * y;
    sumXY += x * y;
  }
  return { n, sumX, sumY, sumXX, sumYY, sumXY };
}

describe('ratio metric on A/A experiments', () => {
  it('the delta-method test keeps its level; treating impressions as independent does not', () => {
    const uniform = prng(1607);
    let delta = 0;
    let naive = 0;
    for (let e = 0; e < EXPERIMENTS; e++) {
      const control = drawRatio(uniform, 1000);
      const treatment = drawRatio(uniform, 1000);
      if (ratioTest(control, treatment).pValue < ALPHA) delta++;
      // The binomial variance over impressions, ignoring that a person's impressions share a rate.
      const rc = control.sumX / control.sumY;
      const rt = treatment.sumX / treatment.sumY;
      const pooled = (control.sumX + treatment.sumX) / (control.sumY + treatment.sumY);
      const se = Math.sqrt(pooled * (1 - pooled) * (1 / control.sumY + 1 / treatment.sumY));
      if (Math.abs(rt - rc) / se > 1.959963984540054) naive++;
    }
    // measured: delta method 0.052, impressions as independent 0.218
    expect(Math.abs(delta / EXPERIMENTS - ALPHA)).toBeLessThanOrEqual(0.015);
    expect(naive / EXPERIMENTS).toBeGreaterThan(0.1);
  });
});
