import type { Comparison } from '../../api/experiments.js';
import { formatLift } from './format.js';

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

const WIDTH = 600;
const ROW = 40;
const TOP = 8;
const AXIS = 26;
const LABEL = 120;

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

/**
 * Each treatment's lift over the control with its interval, drawn: a point at the estimate and a bar
 * across the interval, against a line at zero, coloured by the Holm-corrected verdict. The SVG is
 * described in words (role="img" and its label); the numbers are also written out beside it.
 */
export function IntervalPlot(props: {
  comparisons: readonly Comparison[];
  higherIsBetter: boolean;
  level: string;
  label: string;
}) {
  const { comparisons } = props;
  const [lo, hi] = plotDomain(comparisons);
  const plotLeft = LABEL;
  const plotWidth = WIDTH - LABEL - 16;
  const x = (v: number) => plotLeft + ((v - lo) / (hi - lo)) * plotWidth;
  const height = TOP + comparisons.length * ROW + AXIS;
  const description = comparisons
    .map((c) => {
      const r = c.fixed_horizon.relative;
      const verdict = verdictOf(c, props.higherIsBetter);
      if (verdict === 'none') return `${c.variant}: not enough data for an interval`;
      return `${c.variant}: lift ${formatLift(r.estimate)}, ${props.level} interval ${formatLift(r.interval.lower)} to ${formatLift(r.interval.upper)}, ${verdict === 'unclear' ? 'not significant' : `significantly ${verdict}`}`;
    })
    .join('; ');
  return (
    <svg
      class="interval-plot"
      viewBox={`0 0 ${WIDTH} ${height}`}
      role="img"
      aria-label={`${props.label}. ${description}.`}
      preserveAspectRatio="xMinYMin meet"
    >
      <line class="zero-line" x1={x(0)} x2={x(0)} y1={TOP / 2} y2={height - AXIS + 4} />
      {comparisons.map((c, i) => {
        const r = c.fixed_horizon.relative;
        const y = TOP + i * ROW + ROW / 2;
        const verdict = verdictOf(c, props.higherIsBetter);
        return (
          <g key={c.variant} class={`interval interval-${verdict}`} data-variant={c.variant}>
            <text class="plot-label" x={0} y={y + 5}>
              {c.variant.length > 16 ? `${c.variant.slice(0, 15)}…` : c.variant}
            </text>
            {verdict === 'none' ? (
              <text class="plot-empty" x={plotLeft} y={y + 5}>
                Not enough data yet
              </text>
            ) : (
              <>
                <line
                  class="interval-bar"
                  x1={x(r.interval.lower!)}
                  x2={x(r.interval.upper!)}
                  y1={y}
                  y2={y}
                />
                <line
                  class="interval-cap"
                  x1={x(r.interval.lower!)}
                  x2={x(r.interval.lower!)}
                  y1={y - 7}
                  y2={y + 7}
                />
                <line
                  class="interval-cap"
                  x1={x(r.interval.upper!)}
                  x2={x(r.interval.upper!)}
                  y1={y - 7}
                  y2={y + 7}
                />
                <circle class="interval-point" cx={x(r.estimate!)} cy={y} r={6} />
              </>
            )}
          </g>
        );
      })}
      <g class="plot-axis">
        <line x1={plotLeft} x2={plotLeft + plotWidth} y1={height - AXIS + 4} y2={height - AXIS + 4} />
        {(
          [
            [lo, 'start'],
            [0, 'middle'],
            [hi, 'end'],
          ] as const
        )
          // An end too close to zero is left unlabelled, so labels never overlap.
          .filter(([v], i) => i === 1 || Math.abs(x(v) - x(0)) > 70)
          .map(([v, anchor]) => (
            <text key={anchor} x={x(v)} y={height - 6} text-anchor={anchor}>
              {formatLift(v)}
            </text>
          ))}
      </g>
    </svg>
  );
}
