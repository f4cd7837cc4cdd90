import '../../styles/analytics.css';
import { useEffect, useMemo, useState } from 'preact/hooks';
import {
  type AnalyticsSeries,
  COUNT_METRICS,
  type CountMetric,
  formatCount,
  formatDay,
  formatLongDay,
  formatRate,
  METRIC_LABELS,
  parseRange,
  pinById,
  RANGES,
  RATE_OF,
  type RangeDays,
  rangeOf,
  type TopPin,
  topPins,
  userAnalytics,
} from '../../api/analytics.js';
import { naturalSize } from '../../api/pins.js';
import type { Pin } from '../../api/types.js';
import { ErrorMessage } from '../../components/error-message.js';
import { PinCard } from '../../components/pin-card.js';
import { navigate, useLocation } from '../../router.js';
import { type ChartSeries, LineChart } from './line-chart.js';

const COLORS: Record<CountMetric, string> = {
  IMPRESSION: '#1a5fd6',
  ENGAGEMENT: '#6b4fbb',
  SAVE: '#c8102e',
  PIN_CLICK: '#2e7d32',
  OUTBOUND_CLICK: '#b35c00',
};

type Load<T> = { state: 'loading' } | { state: 'error'; error: unknown } | { state: 'ready'; data: T };

/** The signed-in person's analytics: totals, daily charts with a table, and their top Pins. */
export function AnalyticsPage() {
  const { search } = useLocation();
  const days = parseRange(new URLSearchParams(search).get('days'));
  const range = useMemo(() => rangeOf(days), [days]);
  const [report, setReport] = useState<Load<AnalyticsSeries>>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  // The table stays open (or closed) across ranges.
  const [table, setTable] = useState(false);

  useEffect(() => {
    let live = true;
    setReport({ state: 'loading' });
    userAnalytics(range).then(
      (r) => live && setReport({ state: 'ready', data: r.all ?? { daily_metrics: [], summary_metrics: {} } }),
      (error: unknown) => live && setReport({ state: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [range.start, range.end, attempt]);

  return (
    <main id="main" class="page analytics-page">
      <div class="analytics-head">
        <div>
          <h1>Analytics</h1>
          <p class="muted analytics-range-text">
            Activity on your Pins from {formatLongDay(range.start)} to {formatLongDay(range.end)} (UTC days).
          </p>
        </div>
        <RangePicker days={days} onChange={(d) => navigate(`/analytics?days=${d}`, true)} />
      </div>
      {report.state === 'loading' && (
        <p class="loading muted" role="status">
          Loading analytics…
        </p>
      )}
      {report.state === 'error' && (
        <ErrorMessage error={report.error} onRetry={() => setAttempt((a) => a + 1)} />
      )}
      {report.state === 'ready' && (
        <Report series={report.data} table={table} onToggleTable={() => setTable((t) => !t)} />
      )}
      <TopPins range={range} />
    </main>
  );
}

function RangePicker(props: { days: RangeDays; onChange: (d: RangeDays) => void }) {
  return (
    <fieldset class="range-picker">
      <legend class="visually-hidden">Date range</legend>
      {RANGES.map((d) => (
        <label key={d} class={`range-option${d === props.days ? ' range-option-on' : ''}`}>
          <input
            type="radio"
            name="range"
            value={d}
            checked={d === props.days}
            onChange={() => props.onChange(d)}
          />
          Last {d} days
        </label>
      ))}
    </fieldset>
  );
}

function Report(props: { series: AnalyticsSeries; table: boolean; onToggleTable: () => void }) {
  const { daily_metrics: daily, summary_metrics: totals } = props.series;
  const { table } = props;
  const days = useMemo(() => daily.map((d) => d.date), [daily]);
  const valuesOf = (m: CountMetric) => daily.map((d) => d.metrics[m] ?? 0);
  const impressions = useMemo<ChartSeries[]>(
    () => [{ label: METRIC_LABELS.IMPRESSION, color: COLORS.IMPRESSION, values: valuesOf('IMPRESSION') }],
    [daily],
  );
  const engagement = useMemo<ChartSeries[]>(
    () =>
      (['SAVE', 'PIN_CLICK', 'OUTBOUND_CLICK'] as const).map((m) => ({
        label: METRIC_LABELS[m],
        color: COLORS[m],
        values: valuesOf(m),
      })),
    [daily],
  );
  const processing = daily.filter((d) => d.data_status === 'PROCESSING').map((d) => d.date);

  return (
    <>
      <section class="analytics-section" aria-labelledby="totals-heading">
        <h2 id="totals-heading">Totals</h2>
        <dl class="totals">
          {COUNT_METRICS.map((m) => {
            const rate = RATE_OF[m];
            return (
              <div key={m} class="total" data-metric={m}>
                <dt>{METRIC_LABELS[m]}</dt>
                <dd class="total-value">{formatCount(totals[m] ?? 0)}</dd>
                {rate && totals[rate] !== undefined && (
                  <dd class="total-rate muted">{formatRate(totals[rate]!)} of impressions</dd>
                )}
              </div>
            );
          })}
        </dl>
        {processing.length > 0 && (
          <p class="muted analytics-note">
            {processing.length === 1
              ? `The numbers for ${formatLongDay(processing[0]!)} are still being counted.`
              : `The numbers for ${processing.length} days, the latest ${formatLongDay(processing[processing.length - 1]!)}, are still being counted.`}
          </p>
        )}
      </section>

      <section class="analytics-section" aria-labelledby="daily-heading">
        <div class="section-head">
          <h2 id="daily-heading">Day by day</h2>
          <button
            type="button"
            class="btn"
            aria-expanded={table}
            aria-controls="daily-table"
            onClick={props.onToggleTable}
          >
            {table ? 'Hide the table' : 'Show as a table'}
          </button>
        </div>
        <div class="charts">
          <figure class="card chart-card">
            <figcaption>Impressions per day</figcaption>
            <LineChart id="chart-impressions" days={days} series={impressions} />
          </figure>
          <figure class="card chart-card">
            <figcaption>Saves, Pin clicks and outbound clicks per day</figcaption>
            <LineChart id="chart-engagement" days={days} series={engagement} />
          </figure>
        </div>
        {/* Focusable, so a keyboard can scroll the wide table sideways on a narrow screen. */}
        <section
          id="daily-table"
          class="table-scroll"
          hidden={!table}
          // biome-ignore lint/a11y/noNoninteractiveTabindex: a region that scrolls must take focus, or a keyboard cannot scroll it
          tabIndex={0}
          aria-label="Activity per day"
        >
          {table && <DailyTable daily={daily} />}
        </section>
      </section>
    </>
  );
}

function DailyTable(props: { daily: AnalyticsSeries['daily_metrics'] }) {
  return (
    <table class="data-table">
      <caption>Activity on your Pins per day (UTC)</caption>
      <thead>
        <tr>
          <th scope="col">Day</th>
          {COUNT_METRICS.map((m) => (
            <th key={m} scope="col" class="num">
              {METRIC_LABELS[m]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {props.daily.map((d) => (
          <tr key={d.date}>
            <th scope="row">
              {formatDay(d.date)}
              {d.data_status === 'PROCESSING' && <span class="muted"> (counting)</span>}
            </th>
            {COUNT_METRICS.map((m) => (
              <td key={m} class="num">
                {formatCount(d.metrics[m] ?? 0)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const SORTS: CountMetric[] = ['IMPRESSION', 'ENGAGEMENT', 'SAVE', 'PIN_CLICK', 'OUTBOUND_CLICK'];

interface Ranked {
  top: TopPin;
  pin: Pin;
}

function TopPins(props: { range: { start: string; end: string } }) {
  const [sortBy, setSortBy] = useState<CountMetric>('IMPRESSION');
  const [list, setList] = useState<Load<Ranked[]>>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const { start, end } = props.range;

  useEffect(() => {
    let live = true;
    setList({ state: 'loading' });
    topPins({ start, end }, sortBy)
      .then(async (report) => {
        // Each Pin's picture and title; one that was deleted meanwhile is left out.
        const pins = await Promise.allSettled(report.pins.map((p) => pinById(p.pin_id)));
        return report.pins.flatMap((top, i) => {
          const r = pins[i]!;
          return r.status === 'fulfilled' ? [{ top, pin: { ...r.value, impression_token: undefined } }] : [];
        });
      })
      .then(
        (data) => live && setList({ state: 'ready', data }),
        (error: unknown) => live && setList({ state: 'error', error }),
      );
    return () => {
      live = false;
    };
  }, [start, end, sortBy, attempt]);

  return (
    <section class="analytics-section" aria-labelledby="top-heading">
      <div class="section-head">
        <h2 id="top-heading">Top Pins</h2>
        <label class="sort-by">
          Sort by{' '}
          <select
            value={sortBy}
            onChange={(e) => setSortBy((e.currentTarget as HTMLSelectElement).value as CountMetric)}
          >
            {SORTS.map((m) => (
              <option key={m} value={m}>
                {METRIC_LABELS[m]}
              </option>
            ))}
          </select>
        </label>
      </div>
      {list.state === 'loading' && (
        <p class="muted" role="status">
          Loading your top Pins…
        </p>
      )}
      {list.state === 'error' && <ErrorMessage error={list.error} onRetry={() => setAttempt((a) => a + 1)} />}
      {list.state === 'ready' &&
        (list.data.length === 0 ? (
          <p class="muted">No activity on your Pins in these days yet.</p>
        ) : (
          <TopPinGrid items={list.data} sortBy={sortBy} />
        ))}
    </section>
  );
}

/** Column width for the grid's width: ~180 px columns on a desktop, two on a phone. */
function columnWidth(width: number): number {
  const gap = width < 640 ? 8 : 16;
  const min = width < 640 ? 150 : 180;
  const columns = Math.max(1, Math.floor((width + gap) / (min + gap)));
  return Math.floor((width - gap * (columns - 1)) / columns);
}

function TopPinGrid(props: { items: Ranked[]; sortBy: CountMetric }) {
  const [width, setWidth] = useState(0);
  const [el, setEl] = useState<HTMLOListElement | null>(null);
  useEffect(() => {
    if (!el) return;
    setWidth(el.clientWidth);
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, [el]);
  const col = columnWidth(width);
  return (
    <ol
      class="top-pins"
      ref={setEl}
      style={{ gridTemplateColumns: `repeat(auto-fill, ${col}px)` }}
      aria-label={`Your Pins with the most ${METRIC_LABELS[props.sortBy].toLowerCase()}`}
    >
      {width > 0 &&
        props.items.map(({ top, pin }) => {
          const size = naturalSize(pin);
          // Pictures keep their shape up to 3:2 tall, so rows stay even.
          const imageHeight = Math.round(Math.min((col * size.height) / size.width, col * 1.5));
          return (
            <li key={pin.id} class="top-pin" data-pin-id={pin.id}>
              <PinCard
                pin={pin}
                placed={{ x: 0, y: 0, width: col, imageHeight, height: imageHeight, column: 0 }}
                served={undefined}
              />
              <p class="top-pin-metrics">
                {SORTS.filter((m) => m !== 'ENGAGEMENT' || props.sortBy === 'ENGAGEMENT').map((m, i) => (
                  <span key={m} class={m === props.sortBy ? 'top-pin-sorted' : undefined}>
                    {i > 0 ? ' · ' : ''}
                    {METRIC_LABELS[m]} {formatCount(top.metrics[m] ?? 0)}
                  </span>
                ))}
              </p>
            </li>
          );
        })}
    </ol>
  );
}
