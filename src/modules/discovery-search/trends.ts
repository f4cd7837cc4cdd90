/**
 * Trend formulas over daily search counts of a term (T = today, UTC; windows inclusive):
 *   w0 = T-6..T, w1 = T-13..T-7, prev4w = T-34..T-7 (the four weeks before this one),
 *   m0 = T-29..T, m1 = T-59..T-30, y0 = T-364..T, y1 = T-729..T-365,
 *   lastYear30 = T-394..T-365 (the same 30 days one year earlier).
 * With smoothing α = SMOOTHING searches:
 *   growing  = (w0 + α) / (prev4w / 4 + α), for terms searched more this week than the mean week before;
 *   monthly  = m0 (search volume in the last month);
 *   yearly   = y0 (search volume in the last year);
 *   seasonal = (m0 + α) / (m1 + α) × (lastYear30 + α) / (y1 × 30 / 365 + α), for terms growing this month
 *              (first factor > 1) whose same month last year was above that year's monthly mean (second > 1).
 * pct_growth_wow / _mom / _yoy compare w0 with w1, m0 with m1, y0 with y1: round(100 (now - before) /
 * before), capped at ±10000; 10001 when it grew from nothing (or past +10000).
 */
export const SMOOTHING = 5;
export const TREND_TYPES = ['growing', 'monthly', 'yearly', 'seasonal'] as const;
export type TrendType = (typeof TREND_TYPES)[number];
/** Weekly points of a keyword's time series (one year). */
export const SERIES_WEEKS = 52;

/** A term's search counts over the windows above. */
export interface TermWindows {
  term: string;
  w0: number;
  w1: number;
  prev4w: number;
  m0: number;
  m1: number;
  y0: number;
  y1: number;
  lastYear30: number;
}

/** How trending the term is by `type`; undefined when it is not a trend of that type. */
export function trendScore(type: TrendType, c: TermWindows): number | undefined {
  const a = SMOOTHING;
  switch (type) {
    case 'growing':
      return c.w0 > c.prev4w / 4 ? (c.w0 + a) / (c.prev4w / 4 + a) : undefined;
    case 'monthly':
      return c.m0 > 0 ? c.m0 : undefined;
    case 'yearly':
      return c.y0 > 0 ? c.y0 : undefined;
    case 'seasonal': {
      const growth = (c.m0 + a) / (c.m1 + a);
      const season = (c.lastYear30 + a) / ((c.y1 * 30) / 365 + a);
      return growth > 1 && season > 1 ? growth * season : undefined;
    }
  }
}

/** Percent change from `before` to `now` as the spec reports it. */
export function pctGrowth(now: number, before: number): number {
  if (before === 0) return now > 0 ? 10001 : 0;
  const pct = Math.round((100 * (now - before)) / before);
  return pct > 10000 ? 10001 : Math.max(-10000, pct);
}

/** 'YYYY-MM-DD' of `day` shifted by `delta` days. */
export function addDays(day: string, delta: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + delta * 86_400_000).toISOString().slice(0, 10);
}

/** Weekly sums of daily counts: SERIES_WEEKS weeks, each keyed by its last day, the newest ending `today`. */
export function weeklySeries(daily: ReadonlyMap<string, number>, today: string): Map<string, number> {
  const out = new Map<string, number>();
  for (let k = SERIES_WEEKS - 1; k >= 0; k--) {
    const end = addDays(today, -7 * k);
    let sum = 0;
    for (let d = 0; d < 7; d++) sum += daily.get(addDays(end, -d)) ?? 0;
    out.set(end, sum);
  }
  return out;
}

/** Scales series to 0-100 by their own peak each, or by the peak of them all (`group`); rounded. */
export function normalise(series: readonly Map<string, number>[], group: boolean): Record<string, number>[] {
  const peakOf = (s: Map<string, number>) => Math.max(0, ...s.values());
  const groupPeak = Math.max(0, ...series.map(peakOf));
  return series.map((s) => {
    const peak = group ? groupPeak : peakOf(s);
    return Object.fromEntries([...s].map(([d, v]) => [d, peak > 0 ? Math.round((100 * v) / peak) : 0]));
  });
}
