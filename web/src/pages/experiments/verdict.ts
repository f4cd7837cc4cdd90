import type { Comparison } from '../../api/experiments.js';
import { formatP } from './format.js';

// What a comparison says, in a word and in a sentence (pure: unit-tested in web/test).

export type Verdict = 'better' | 'worse' | 'unclear' | 'none';

/** Whether a comparison is significant (Holm) and in which direction for this metric. */
export function verdictOf(c: Comparison, higherIsBetter: boolean): Verdict {
  const f = c.fixed_horizon;
  if (
    f.relative.estimate === null ||
    f.relative.interval.lower === null ||
    f.relative.interval.upper === null
  )
    return 'none';
  if (!f.significant) return 'unclear';
  const up = (f.difference ?? 0) > 0;
  return up === higherIsBetter ? 'better' : 'worse';
}

/** The domain drawn: every interval and zero, with some room. */
export function plotDomain(comparisons: readonly Comparison[]): [number, number] {
  let lo = 0;
  let hi = 0;
  for (const c of comparisons) {
    const r = c.fixed_horizon.relative;
    for (const x of [r.interval.lower, r.interval.upper, r.estimate]) {
      if (x === null) continue;
      lo = Math.min(lo, x);
      hi = Math.max(hi, x);
    }
  }
  if (hi - lo < 1e-9) return [-0.1, 0.1];
  const pad = (hi - lo) * 0.1;
  return [lo - pad, hi + pad];
}

/** The sequential test's verdict in words (the API's `sequential.significant` and its p-value). */
export function sequentialVerdict(c: Comparison): string {
  const s = c.sequential;
  if (s.p_value === null) return 'No verdict yet: not enough data.';
  return s.significant
    ? `Significant: always-valid p = ${formatP(s.p_value)} after ${s.looks} ${s.looks === 1 ? 'look' : 'looks'}.`
    : `Not significant yet: always-valid p = ${formatP(s.p_value)} after ${s.looks} ${s.looks === 1 ? 'look' : 'looks'}.`;
}
