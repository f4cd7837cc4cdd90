/**
 * CUPED (Deng, Xu, Kohavi & Walker, "Improving the Sensitivity of Online Controlled Experiments by
 * Utilizing Pre-Experiment Data", WSDM 2013): each person's metric Y is adjusted by their pre-period value X
 * of the same metric, Y' = Y − θ(X − μ_X). X does not depend on the assignment, so the adjusted means
 * differ by the same effect in expectation, with variance shrunk by the factor 1 − ρ², ρ = corr(Y, X).
 *
 * θ is pooled within variants: θ = Σ_v S_xy,v / Σ_v S_xx,v with S the centred sums of each variant. That
 * is the regression slope with a separate intercept per variant (ANCOVA), so a treatment effect on Y does
 * not leak into θ; μ_X is the mean of X over all variants. People with no pre-period activity count with
 * X = 0, as the platform sums them.
 */

import type { Aggregate, Comparison, Moments } from './welch.js';
import { compareMoments } from './welch.js';

/** A variant's aggregates for CUPED: those of Y, plus Σx, Σx² and Σxy of the pre-period metric X. */
export interface CupedAggregate extends Aggregate {
  readonly sumPre: number;
  readonly sumPreSquares: number;
  readonly sumProducts: number;
}

/** The pooled adjustment of one experiment's metric. */
export interface CupedFit {
  /** θ = Σ S_xy / Σ S_xx (0 when X does not vary: no adjustment). */
  readonly theta: number;
  /** Pooled within-variant correlation ρ = Σ S_xy / √(Σ S_xx · Σ S_yy). */
  readonly correlation: number;
  /** The expected variance factor 1 − ρ² of the adjusted metric. */
  readonly varianceFactor: number;
  /** μ_X, the mean of X over every variant. */
  readonly preMean: number;
}

interface Centred {
  readonly sxx: number;
  readonly syy: number;
  readonly sxy: number;
}

function centred(a: CupedAggregate): Centred {
  if (!(a.n > 0)) return { sxx: 0, syy: 0, sxy: 0 };
  return {
    sxx: Math.max(0, a.sumPreSquares - (a.sumPre * a.sumPre) / a.n),
    syy: Math.max(0, a.sumSquares - (a.sum * a.sum) / a.n),
    sxy: a.sumProducts - (a.sum * a.sumPre) / a.n,
  };
}

/** Fits θ, ρ and μ_X over an experiment's variants (see the file's comment for the formulas). */
export function cupedFit(variants: readonly CupedAggregate[]): CupedFit {
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  let n = 0;
  let sumPre = 0;
  for (const v of variants) {
    const c = centred(v);
    sxx += c.sxx;
    syy += c.syy;
    sxy += c.sxy;
    n += v.n;
    sumPre += v.sumPre;
  }
  const theta = sxx > 0 ? sxy / sxx : 0;
  const correlation = sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : 0;
  return {
    theta,
    correlation,
    varianceFactor: 1 - correlation * correlation,
    preMean: n > 0 ? sumPre / n : 0,
  };
}

/**
 * A variant's adjusted moments: mean ȳ − θ(x̄ − μ_X), variance (S_yy − 2θ S_xy + θ² S_xx)/(n − 1), the
 * sample variance of Y − θX. NaN where {@link momentsOf}'s would be.
 */
export function cupedMoments(a: CupedAggregate, fit: CupedFit): Moments {
  const mean = a.n > 0 ? a.sum / a.n - fit.theta * (a.sumPre / a.n - fit.preMean) : Number.NaN;
  if (!(a.n > 1)) return { n: a.n, mean, variance: Number.NaN };
  const c = centred(a);
  const variance = Math.max(0, (c.syy - 2 * fit.theta * c.sxy + fit.theta * fit.theta * c.sxx) / (a.n - 1));
  return { n: a.n, mean, variance };
}

/**
 * Welch's t-test on CUPED-adjusted moments. θ is fitted on the two variants unless a fit over all of the
 * experiment's variants is given.
 */
export function cupedTest(
  control: CupedAggregate,
  treatment: CupedAggregate,
  alpha = 0.05,
  fit: CupedFit = cupedFit([control, treatment]),
): Comparison {
  return compareMoments(cupedMoments(control, fit), cupedMoments(treatment, fit), alpha, 'welch-t');
}
