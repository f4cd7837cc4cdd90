/**
 * Ratio metrics (clicks / impressions, revenue / sessions) whose unit of analysis is the person, not the
 * impression: R = Σx/Σy over the variant's people. People's x and y are correlated and R is a ratio of
 * two means, so its variance comes from the delta method (Deng, Knoblich & Lu, "Applying the Delta Method
 * in Metric Analytics", KDD 2018), from six aggregates per variant.
 */

import { type Comparison, compareMoments, type Moments } from './welch.js';

/** What the platform sums per variant for a ratio metric: people, Σx, Σy, Σx², Σy², Σxy (x over y). */
export interface RatioAggregate {
  readonly n: number;
  readonly sumX: number;
  readonly sumY: number;
  readonly sumXX: number;
  readonly sumYY: number;
  readonly sumXY: number;
}

/**
 * The ratio as {@link Moments}: mean R = Σx/Σy, and variance n·Var(R) with
 * Var(R) ≈ (s_xx − 2R s_xy + R² s_yy) / (n ȳ²), the sample (co)variances over n − 1, ȳ = Σy/n.
 * So variance/n, as for any mean, is the variance of R. NaN for n < 2 or Σy = 0.
 */
export function ratioMoments(a: RatioAggregate): Moments {
  const n = a.n;
  const ratio = a.sumY !== 0 ? a.sumX / a.sumY : Number.NaN;
  if (!(n > 1) || Number.isNaN(ratio)) return { n, mean: ratio, variance: Number.NaN };
  const sxx = (a.sumXX - (a.sumX * a.sumX) / n) / (n - 1);
  const syy = (a.sumYY - (a.sumY * a.sumY) / n) / (n - 1);
  const sxy = (a.sumXY - (a.sumX * a.sumY) / n) / (n - 1);
  const meanY = a.sumY / n;
  const variance = Math.max(0, (sxx - 2 * ratio * sxy + ratio * ratio * syy) / (meanY * meanY));
  return { n, mean: ratio, variance };
}

/** The variance of the ratio estimator Σx/Σy by the delta method (see {@link ratioMoments}). */
export function ratioVariance(a: RatioAggregate): number {
  const m = ratioMoments(a);
  return m.variance / m.n;
}

/**
 * Treatment against control on a ratio metric: a z test on R_t − R_c with se = √(Var(R_t) + Var(R_c)),
 * and the relative difference R_t/R_c − 1 with its delta-method interval.
 */
export function ratioTest(control: RatioAggregate, treatment: RatioAggregate, alpha = 0.05): Comparison {
  return compareMoments(ratioMoments(control), ratioMoments(treatment), alpha, 'z');
}
