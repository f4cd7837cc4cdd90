/**
 * Correction for testing many variants × metrics at once: Holm–Bonferroni step-down adjusted p-values.
 *
 * Holm rather than Benjamini–Hochberg: an experiment's metrics are measured on the same people and are
 * correlated in both directions (more saves, fewer searches), and Holm controls the family-wise error rate
 * under any dependence, while BH's false-discovery guarantee needs positive dependence. A report where "a
 * guardrail moved" must mean that one did, not that a share of the flagged ones did, so the family-wise
 * guarantee is the one wanted; with the handful of metrics an experiment has, Holm's cost in power is small.
 */

/**
 * Holm-adjusted p-values, in the input's order. With the m defined p-values sorted ascending
 * p₍₁₎ ≤ … ≤ p₍ₘ₎: p̃₍ᵢ₎ = max_{j ≤ i} min(1, (m − j + 1)·p₍ⱼ₎). Rejecting where p̃ < α controls the
 * family-wise error at α. NaN entries (undefined tests) stay NaN and are not counted in m.
 */
export function holmAdjust(pValues: readonly number[]): number[] {
  const order = pValues
    .map((p, i) => ({ p, i }))
    .filter((e) => !Number.isNaN(e.p))
    .sort((x, y) => x.p - y.p);
  const m = order.length;
  const adjusted = pValues.map(() => Number.NaN);
  let running = 0;
  order.forEach((e, j) => {
    running = Math.max(running, Math.min(1, (m - j) * e.p));
    adjusted[e.i] = running;
  });
  return adjusted;
}
