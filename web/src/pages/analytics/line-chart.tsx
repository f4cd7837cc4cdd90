import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'preact/hooks';
import { formatCompact, formatDay } from '../../api/analytics.js';

export interface ChartSeries {
  label: string;
  color: string;
  values: number[];
}

const HEIGHT = 240;

/**
 * Daily values drawn with uPlot on a canvas. The drawing is for the eye only (aria-hidden): the page
 * gives the same numbers as text (totals) and as a table.
 */
export function LineChart(props: { days: string[]; series: ChartSeries[]; id: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const el = box.current!;
    const xs = props.days.map((d) => Date.parse(`${d}T00:00:00Z`) / 1000);
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height: HEIGHT,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 7 } },
      // Days are UTC days: draw them as such whatever the browser's time zone.
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.1)] } },
      axes: [
        {
          stroke: '#5f5f5f',
          grid: { stroke: '#ebe8e2' },
          ticks: { stroke: '#dedad3' },
          values: (_u, ticks) => ticks.map((t) => formatDay(new Date(t * 1000).toISOString().slice(0, 10))),
        },
        {
          stroke: '#5f5f5f',
          grid: { stroke: '#ebe8e2' },
          ticks: { stroke: '#dedad3' },
          size: 50,
          // Counts: whole-number steps only.
          incrs: [
            1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 1e7, 1e8,
          ],
          values: (_u, ticks) => ticks.map((t) => formatCompact(t)),
        },
      ],
      series: [
        {},
        ...props.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          fill: props.series.length === 1 ? `${s.color}22` : undefined,
          points: { show: props.days.length <= 31 },
        })),
      ],
    };
    const u = new uPlot(opts, [xs, ...props.series.map((s) => s.values)], el);
    plot.current = u;
    const ro = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height: HEIGHT }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [props.days, props.series]);

  return (
    <div class="chart-wrap">
      <div class="chart" id={props.id} ref={box} aria-hidden="true" />
      <ul class="chart-legend" aria-hidden="true">
        {props.series.map((s) => (
          <li key={s.label}>
            <span class="chart-swatch" style={{ background: s.color }} />
            {s.label}
          </li>
        ))}
      </ul>
    </div>
  );
}
