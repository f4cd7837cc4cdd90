/**
 * Power and sample size for the two-sided test of a difference of means, by the normal approximation to
 * Welch's test (exact enough at the thousands of people per variant experiments run at; Welch's t
 * quantile differs from z by under 0.1% at df ≥ 1000).
 */

import { normalCdf, normalQuantile } from './distributions.js';

/** The smallest effect worth detecting: absolute (in the metric's unit) or relative to the control's mean. */
export type MinimumEffect = { readonly absolute: number } | { readonly relative: number };

/** |δ| in the metric's unit: the absolute effect, or relative × |control mean|. */
export function absoluteEffect(effect: MinimumEffect, controlMean: number): number {
  return 'absolute' in effect ? Math.abs(effect.absolute) : Math.abs(effect.relative * controlMean);
}

export interface PowerInput {
  /** |δ|, the effect to detect, in the metric's unit. */
  readonly effect: number;
  readonly varianceControl: number;
  readonly varianceTreatment: number;
  readonly nControl: number;
  readonly nTreatment: number;
  /** Two-sided significance level (default 0.05). */
  readonly alpha?: number;
}

/**
 * Power of the two-sided level-α test to detect δ: with se = √(σ_c²/n_c + σ_t²/n_t), λ = |δ|/se and
 * z = Φ⁻¹(1 − α/2), power = Φ(λ − z) + Φ(−λ − z) (the second term is a rejection in the wrong direction,
 * counted as the test rejecting). NaN when se is not positive and finite.
 */
export function power(input: PowerInput): number {
  const alpha = input.alpha ?? 0.05;
  const se = Math.sqrt(input.varianceControl / input.nControl + input.varianceTreatment / input.nTreatment);
  if (!(se > 0) || !Number.isFinite(se)) return Number.NaN;
  const z = normalQuantile(1 - alpha / 2);
  const lambda = Math.abs(input.effect) / se;
  return normalCdf(lambda - z) + normalCdf(-lambda - z);
}

export interface SampleSizeInput {
  readonly effect: number;
  readonly varianceControl: number;
  readonly varianceTreatment: number;
  /** Target power (default 0.8). */
  readonly power?: number;
  readonly alpha?: number;
  /** Shares of traffic, control then treatment (default equal); need not sum to 1. */
  readonly weights?: readonly [number, number];
}

export interface SampleSize {
  readonly control: number;
  readonly treatment: number;
  readonly total: number;
}

/**
 * People needed for the target power 1 − β: N = (z_{1−α/2} + z_{1−β})² (σ_c²/w_c + σ_t²/w_t) / δ² in all,
 * split by the weights w (normalised to sum 1) and rounded up per variant. Ignores the wrong-direction
 * term of {@link power}, so the power reached is at least the target. Infinite when δ = 0.
 */
export function sampleSize(input: SampleSizeInput): SampleSize {
  const alpha = input.alpha ?? 0.05;
  const target = input.power ?? 0.8;
  const [a, b] = input.weights ?? [1, 1];
  const wc = a / (a + b);
  const wt = b / (a + b);
  const z = normalQuantile(1 - alpha / 2) + normalQuantile(target);
  const total =
    (z * z * (input.varianceControl / wc + input.varianceTreatment / wt)) / (input.effect * input.effect);
  const control = Math.ceil(total * wc);
  const treatment = Math.ceil(total * wt);
  return { control, treatment, total: control + treatment };
}
