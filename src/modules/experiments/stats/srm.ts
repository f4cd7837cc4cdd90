/**
 * Sample-ratio mismatch: are the exposures per variant what the configured weights promise? A mismatch
 * means the assignment or the exposure logging is broken (a variant that crashes before logging, a bot
 * filter that hits one variant), and every other number of the experiment is then suspect.
 */

import { chiSquareSf } from './distributions.js';

/**
 * The alarm threshold, p < 0.001. Strict, because the check runs on every experiment, every day: one
 * healthy experiment checked once alarms with probability 0.001, while a real mismatch at the traffic
 * experiments see gives p far below it (50.5/49.5 of 200,000 people gives p ≈ 7.7e-6).
 */
export const SRM_ALARM_P = 0.001;

export interface SrmResult {
  /** Pearson's χ² = Σ (o_i − e_i)²/e_i, e_i = N·w_i/Σw. */
  readonly statistic: number;
  /** Variants with positive weight, minus one. */
  readonly df: number;
  /** P(χ²_df ≥ statistic). */
  readonly pValue: number;
  /** pValue < {@link SRM_ALARM_P}. */
  readonly alarm: boolean;
}

/**
 * Chi-square goodness-of-fit of observed exposures against the weights. Variants of weight 0 expect no
 * one: any exposure there is a mismatch for certain (p = 0). No exposures at all, or a single weighted
 * variant, give p = 1 (nothing to test). Throws a RangeError when the two lists differ in length or a
 * weight is negative (a caller's bug, not data).
 */
export function srmTest(
  observed: readonly number[],
  weights: readonly number[],
  threshold = SRM_ALARM_P,
): SrmResult {
  if (observed.length !== weights.length) throw new RangeError('one weight per variant');
  if (weights.some((w) => !(w >= 0))) throw new RangeError('weights must be non-negative');
  const total = observed.reduce((s, o) => s + o, 0);
  const weightSum = weights.reduce((s, w) => s + w, 0);
  let statistic = 0;
  let weighted = 0;
  let impossible = false;
  for (let i = 0; i < observed.length; i++) {
    const w = weights[i]!;
    const o = observed[i]!;
    if (w === 0) {
      if (o > 0) impossible = true;
      continue;
    }
    weighted++;
    const e = (total * w) / weightSum;
    statistic += ((o - e) * (o - e)) / e;
  }
  const df = Math.max(0, weighted - 1);
  if (impossible) return { statistic: Number.POSITIVE_INFINITY, df, pValue: 0, alarm: true };
  if (total === 0 || df === 0) return { statistic: 0, df, pValue: 1, alarm: false };
  const pValue = chiSquareSf(statistic, df);
  return { statistic, df, pValue, alarm: pValue < threshold };
}
