/**
 * Comparing two variants' means from the aggregates the platform keeps per variant (n, Σy, Σy²): Welch's
 * t-test for the difference, and the delta-method interval for the relative difference.
 *
 * An undefined number is NaN, never a throw. A variant with n < 2 has no variance, and with both variances
 * zero there is no standard error: the statistic, p-value, df and intervals are then NaN, while the means
 * and the absolute and relative differences are still given. NaN < α is false, so nothing undefined is
 * ever reported significant; JSON writes NaN as null. An empty variant's mean is NaN too.
 */

import { normalQuantile, tQuantile, tTwoSidedP } from './distributions.js';

/** What the platform sums per variant for a mean metric: units, Σy and Σy². */
export interface Aggregate {
  readonly n: number;
  readonly sum: number;
  readonly sumSquares: number;
}

/**
 * A variant's estimate: its units, the mean, and the per-unit variance (so the variance of the mean is
 * variance / n). For a ratio or CUPED metric, the variance is that of the linearized per-unit value.
 */
export interface Moments {
  readonly n: number;
  readonly mean: number;
  readonly variance: number;
}

/** Which reference distribution a comparison's p-value and interval come from. */
export type TestKind = 'welch-t' | 'z';

export interface Interval {
  readonly lower: number;
  readonly upper: number;
}

/** Treatment against control for one metric. */
export interface Comparison {
  readonly test: TestKind;
  readonly control: Moments;
  readonly treatment: Moments;
  /** Absolute difference of means, treatment − control. */
  readonly difference: number;
  /** √(s_c²/n_c + s_t²/n_t). */
  readonly standardError: number;
  /** Welch–Satterthwaite degrees of freedom (∞ for the z test). */
  readonly df: number;
  readonly statistic: number;
  /** Two-sided p-value. */
  readonly pValue: number;
  /** Two-sided 1 − α interval for the difference. */
  readonly interval: Interval;
  /** Relative difference ȳ_t/ȳ_c − 1, with its delta-method standard error and 1 − α interval. */
  readonly relative: {
    readonly estimate: number;
    readonly standardError: number;
    readonly interval: Interval;
  };
}

/**
 * Mean and sample variance from aggregates: ȳ = Σy/n, s² = (Σy² − (Σy)²/n)/(n − 1), floored at 0 (the
 * one-pass formula can round below zero when the variance is tiny against the mean²).
 */
export function momentsOf(a: Aggregate): Moments {
  const mean = a.n > 0 ? a.sum / a.n : Number.NaN;
  const variance = a.n > 1 ? Math.max(0, (a.sumSquares - (a.sum * a.sum) / a.n) / (a.n - 1)) : Number.NaN;
  return { n: a.n, mean, variance };
}

/**
 * Welch–Satterthwaite degrees of freedom: (v_c + v_t)² / (v_c²/(n_c − 1) + v_t²/(n_t − 1)) with
 * v = s²/n, the variance of each mean.
 */
export function welchDf(control: Moments, treatment: Moments): number {
  const vc = control.variance / control.n;
  const vt = treatment.variance / treatment.n;
  return (vc + vt) ** 2 / ((vc * vc) / (control.n - 1) + (vt * vt) / (treatment.n - 1));
}

/**
 * Relative difference r = ȳ_t/ȳ_c − 1 and its delta-method standard error, treating the two means as
 * independent: Var(ȳ_t/ȳ_c) ≈ v_t/ȳ_c² + ȳ_t² v_c/ȳ_c⁴, with v the variance of each mean. The interval is
 * r ± z_{1−α/2}·se (the delta method is asymptotic, so the normal quantile). NaN when ȳ_c = 0.
 */
export function relativeDifference(
  control: Moments,
  treatment: Moments,
  alpha = 0.05,
): Comparison['relative'] {
  const mc = control.mean;
  const mt = treatment.mean;
  const vc = control.variance / control.n;
  const vt = treatment.variance / treatment.n;
  const estimate = mc === 0 ? Number.NaN : mt / mc - 1;
  const standardError = mc === 0 ? Number.NaN : Math.sqrt(vt / (mc * mc) + (mt * mt * vc) / mc ** 4);
  const half = normalQuantile(1 - alpha / 2) * standardError;
  return { estimate, standardError, interval: { lower: estimate - half, upper: estimate + half } };
}

/**
 * Compares two variants' moments. Difference d = ȳ_t − ȳ_c, se = √(s_c²/n_c + s_t²/n_t), statistic
 * d/se. With `welch-t` the reference is Student's t with {@link welchDf} degrees of freedom (Welch's
 * test); with `z` the standard normal (for delta-method ratio metrics, whose variance is asymptotic anyway).
 * p = P(|T| ≥ |d/se|); interval d ± q_{1−α/2}·se.
 */
export function compareMoments(
  control: Moments,
  treatment: Moments,
  alpha = 0.05,
  test: TestKind = 'welch-t',
): Comparison {
  const difference = treatment.mean - control.mean;
  const standardError = Math.sqrt(control.variance / control.n + treatment.variance / treatment.n);
  const defined = control.n > 1 && treatment.n > 1 && standardError > 0 && Number.isFinite(standardError);
  const df = !defined ? Number.NaN : test === 'z' ? Number.POSITIVE_INFINITY : welchDf(control, treatment);
  const statistic = defined ? difference / standardError : Number.NaN;
  const pValue = defined ? tTwoSidedP(statistic, df) : Number.NaN;
  const half = defined ? tQuantile(1 - alpha / 2, df) * standardError : Number.NaN;
  return {
    test,
    control,
    treatment,
    difference,
    standardError: defined ? standardError : Number.NaN,
    df,
    statistic,
    pValue,
    interval: { lower: difference - half, upper: difference + half },
    relative: defined
      ? relativeDifference(control, treatment, alpha)
      : {
          estimate: control.mean === 0 ? Number.NaN : treatment.mean / control.mean - 1,
          standardError: Number.NaN,
          interval: { lower: Number.NaN, upper: Number.NaN },
        },
  };
}

/** Welch's t-test of treatment against control from their aggregates ({@link compareMoments} on {@link momentsOf}). */
export function welchTest(control: Aggregate, treatment: Aggregate, alpha = 0.05): Comparison {
  return compareMoments(momentsOf(control), momentsOf(treatment), alpha, 'welch-t');
}
