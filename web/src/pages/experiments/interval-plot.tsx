import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Comparison } from '../../api/experiments.js';
import { formatLift } from './format.js';
import { plotDomain, verdictOf } from './verdict.js';

/** Widest the plot is drawn; it is drawn at its box's own width below that, so text keeps its size. */
const MAX_WIDTH = 600;
const ROW = 40;
const TOP = 8;
const AXIS = 26;

/** A label cut to `n` characters. */
const shorten = (text: string, n: number) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

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
  const ref = useRef<SVGSVGElement>(null);
  const [width, setWidth] = useState(MAX_WIDTH);
  useLayoutEffect(() => {
    const el = ref.current!;
    const measure = () => setWidth(Math.min(MAX_WIDTH, Math.max(240, Math.round(el.clientWidth))));
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  const [lo, hi] = plotDomain(comparisons);
  const plotLeft = width < 420 ? 100 : 130;
  const plotWidth = width - plotLeft - 16;
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
      ref={ref}
      viewBox={`0 0 ${width} ${height}`}
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
              {shorten(c.variant, plotLeft < 130 ? 12 : 16)}
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
