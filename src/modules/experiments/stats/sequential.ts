/**
 * Sequential testing: always-valid p-values and confidence sequences by the mixture sequential
 * probability ratio test (mSPRT) with a normal mixture, as in Johari, Koomen, Pekelis & Walsh, "Always
 * Valid Inference: Continuous Monitoring of A/B Tests" (Operations Research, 2022). Looking every day and
 * stopping at the first p < α keeps the false-positive rate at or below α, which a fixed-horizon test
 * does not (peeking 14 times at α = 0.05 rejects an A/A test about a fifth of the time).
 *
 * At a look, the difference of means d = ȳ_t − ȳ_c is close to N(θ, V) with V = s_c²/n_c + s_t²/n_t.
 * Mixing the likelihood ratio against θ₀ over θ ~ N(θ₀, τ²) gives
 *   Λ = √(V/(V + τ²)) · exp(τ²(d − θ₀)² / (2V(V + τ²))),
 * a martingale under H₀, so P(sup Λ ≥ 1/α) ≤ α (Ville's inequality). The always-valid p-value is the
 * running minimum of 1/Λ over the looks; the confidence sequence is the set of θ₀ with Λ(θ₀) < 1/α:
 *   d ± √((2V(V + τ²)/τ²) · (ln(1/α) + ½ ln((V + τ²)/V))),
 * intersected over the looks. V is estimated by plug-in of the sample variances, as Johari et al. do;
 * the guarantee is then asymptotic in the people per variant, tested with a few hundred a day.
 *
 * The mixing variance τ²: the mixture spends its power on effects of size about τ, so τ is the
 * experiment's minimum effect of interest in the metric's unit (τ² = δ², {@link mixingVariance}). A τ far
 * smaller detects large effects late; far larger, it detects small effects late. Johari et al. fit τ to
 * the effects seen in past experiments; the minimum effect is what an operator configures here instead.
 */

import type { Interval, Moments } from './welch.js';

/** τ² for an experiment whose minimum effect of interest is δ (absolute, metric's unit): δ². */
export function mixingVariance(minimumEffect: number): number {
  return minimumEffect * minimumEffect;
}

/** One look's evidence. */
export interface MsprtLook {
  /** ln Λ against θ₀ = 0. */
  readonly logLikelihoodRatio: number;
  /** min(1, 1/Λ): this look's p-value, before the running minimum. */
  readonly pValue: number;
  /** The confidence set of this look alone. */
  readonly interval: Interval;
}

/** The always-valid result after some looks. */
export interface SequentialState {
  readonly looks: number;
  /** Running minimum of the looks' p-values (1 before any defined look). */
  readonly pValue: number;
  /** Running intersection of the looks' intervals (unbounded before any defined look). */
  readonly interval: Interval;
}

const UNDEFINED_LOOK: MsprtLook = {
  logLikelihoodRatio: Number.NaN,
  pValue: Number.NaN,
  interval: { lower: Number.NaN, upper: Number.NaN },
};

/**
 * The mSPRT at one look, from the variants' cumulative moments, mixing variance τ² and level α (formulas
 * in the file's comment). NaN fields when V is not positive and finite (n < 2, zero variance).
 */
export function msprtLook(control: Moments, treatment: Moments, tau2: number, alpha = 0.05): MsprtLook {
  const v = control.variance / control.n + treatment.variance / treatment.n;
  if (!(v > 0) || !Number.isFinite(v) || !(tau2 > 0) || control.n < 2 || treatment.n < 2)
    return UNDEFINED_LOOK;
  const d = treatment.mean - control.mean;
  const logLikelihoodRatio = 0.5 * Math.log(v / (v + tau2)) + (tau2 * d * d) / (2 * v * (v + tau2));
  const pValue = Math.min(1, Math.exp(-logLikelihoodRatio));
  const half = Math.sqrt(
    ((2 * v * (v + tau2)) / tau2) * (Math.log(1 / alpha) + 0.5 * Math.log((v + tau2) / v)),
  );
  return { logLikelihoodRatio, pValue, interval: { lower: d - half, upper: d + half } };
}

/** Before the first look: p = 1, the whole line. */
export const SEQUENTIAL_START: SequentialState = Object.freeze({
  looks: 0,
  pValue: 1,
  interval: Object.freeze({ lower: Number.NEGATIVE_INFINITY, upper: Number.POSITIVE_INFINITY }),
});

/**
 * Folds one look into the state: p = min(p, 1/Λ), interval = interval ∩ this look's. An undefined look
 * changes nothing but the count. Should the intersection come out empty (possible only when the
 * sequence has already missed), the latest look's interval is kept.
 */
export function sequentialUpdate(
  state: SequentialState,
  control: Moments,
  treatment: Moments,
  tau2: number,
  alpha = 0.05,
): SequentialState {
  const look = msprtLook(control, treatment, tau2, alpha);
  if (Number.isNaN(look.pValue)) return { ...state, looks: state.looks + 1 };
  const lower = Math.max(state.interval.lower, look.interval.lower);
  const upper = Math.min(state.interval.upper, look.interval.upper);
  return {
    looks: state.looks + 1,
    pValue: Math.min(state.pValue, look.pValue),
    interval: lower <= upper ? { lower, upper } : look.interval,
  };
}

/** The always-valid result over a run of looks (cumulative moments at each look, oldest first). */
export function alwaysValid(
  looks: readonly { readonly control: Moments; readonly treatment: Moments }[],
  tau2: number,
  alpha = 0.05,
): SequentialState {
  let state = SEQUENTIAL_START;
  for (const look of looks) state = sequentialUpdate(state, look.control, look.treatment, tau2, alpha);
  return state;
}
