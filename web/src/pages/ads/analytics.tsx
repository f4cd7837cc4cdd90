import 'uplot/dist/uPlot.min.css';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import { type AdAccount, type AnalyticsRow, ads } from '../../api/ads.js';
import { ErrorMessage } from '../../components/error-message.js';
import { Link } from '../../components/link.js';
import { AdsPage, LoadFailed, Loading, useAccount, useLoad, utcDay } from './common.js';
import { formatMoney, MICRO } from './money.js';

const SPEND = 'SPEND_IN_MICRO_DOLLAR';
const IMPRESSIONS = 'IMPRESSION_1';
const CLICKS = 'CLICKTHROUGH_1';
/** Synchronous analytics answer at most 90 days back. */
const MAX_DAYS_BACK = 90;

export interface DayPoint {
  day: string;
  spend: number;
  impressions: number;
  clicks: number;
}

/** Every day of the range, with the rows' numbers (days the API has no row for are zeros). */
export function fillDays(rows: AnalyticsRow[], start: string, end: string): DayPoint[] {
  const byDay = new Map<string, DayPoint>();
  for (const r of rows) {
    const day = String(r.DATE ?? '');
    const p = byDay.get(day) ?? { day, spend: 0, impressions: 0, clicks: 0 };
    p.spend += Number(r[SPEND] ?? 0);
    p.impressions += Number(r[IMPRESSIONS] ?? 0);
    p.clicks += Number(r[CLICKS] ?? 0);
    byDay.set(day, p);
  }
  const out: DayPoint[] = [];
  for (let t = Date.parse(`${start}T00:00:00Z`); t <= Date.parse(`${end}T00:00:00Z`); t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    out.push(byDay.get(day) ?? { day, spend: 0, impressions: 0, clicks: 0 });
  }
  return out;
}

/** /ads/:id/analytics and /ads/:id/campaigns/:campaignId/analytics — a chart, the numbers, a report. */
export function AnalyticsPage(props: { accountId: string; campaignId?: string }) {
  const { accountId, campaignId } = props;
  const account = useAccount(accountId);
  const campaign = useLoad(`an-campaign:${campaignId ?? ''}`, () =>
    campaignId ? ads.campaign(accountId, campaignId) : Promise.resolve(undefined),
  );
  const [range, setRange] = useState({ start: utcDay(-6), end: utcDay() });
  const [input, setInput] = useState(range);
  const [rangeError, setRangeError] = useState<string | undefined>();
  const data = useLoad(`an:${accountId}:${campaignId ?? ''}:${range.start}:${range.end}`, async () => {
    const params = {
      start: range.start,
      end: range.end,
      columns: [SPEND, IMPRESSIONS, CLICKS],
      granularity: 'DAY',
    };
    const rows = campaignId
      ? await ads.analytics(accountId, 'campaigns', { ...params, ids: [campaignId] })
      : await ads.analytics(accountId, 'account', params);
    return fillDays(rows, range.start, range.end);
  });

  const title = campaignId ? 'Campaign analytics' : 'Account analytics';
  if (account.error) return <LoadFailed title={title} error={account.error} onRetry={account.reload} />;
  if (campaign.error) return <LoadFailed title={title} error={campaign.error} onRetry={campaign.reload} />;
  if (!account.data) return <Loading title={title} />;
  const acct = account.data;
  const subject = campaignId ? (campaign.data?.name ?? '') : acct.name;

  const apply = (e: Event) => {
    e.preventDefault();
    const { start, end } = input;
    let problem: string | undefined;
    if (!start || !end) problem = 'Enter both days.';
    else if (end < start) problem = 'The last day must not be before the first.';
    else if (end > utcDay()) problem = 'The last day cannot be after today (UTC).';
    else if (start < utcDay(-MAX_DAYS_BACK))
      problem = `The first day can be at most ${MAX_DAYS_BACK} days back.`;
    setRangeError(problem);
    if (!problem) setRange({ start, end });
  };

  const points = data.data;
  const totals = points?.reduce(
    (t, p) => ({
      spend: t.spend + p.spend,
      impressions: t.impressions + p.impressions,
      clicks: t.clicks + p.clicks,
    }),
    { spend: 0, impressions: 0, clicks: 0 },
  );
  return (
    <AdsPage
      title={title}
      wide
      crumbs={[
        { href: '/ads', label: 'Ad accounts' },
        { href: `/ads/${accountId}`, label: acct.name },
      ]}
    >
      <h1>
        {title}: {subject}
      </h1>
      <form class="card ads-card ads-range" onSubmit={apply} noValidate aria-label="Date range">
        <div class="field ads-field">
          <label for="range-start">First day (UTC)</label>
          <input
            id="range-start"
            type="date"
            value={input.start}
            onInput={(e) => setInput({ ...input, start: e.currentTarget.value })}
          />
        </div>
        <div class="field ads-field">
          <label for="range-end">Last day (UTC)</label>
          <input
            id="range-end"
            type="date"
            value={input.end}
            onInput={(e) => setInput({ ...input, end: e.currentTarget.value })}
          />
        </div>
        <button type="submit" class="btn btn-primary">
          Show
        </button>
        {rangeError && (
          <p class="ads-field-error" role="alert">
            {rangeError}
          </p>
        )}
      </form>
      {data.error ? (
        <ErrorMessage error={data.error} onRetry={data.reload} />
      ) : !points || !totals ? (
        <p role="status">Loading analytics…</p>
      ) : (
        <>
          <p class="ads-totals">
            From {range.start} to {range.end}: <strong>{formatMoney(totals.spend, acct.currency)}</strong>{' '}
            spent, <strong>{totals.impressions.toLocaleString()}</strong>{' '}
            {totals.impressions === 1 ? 'impression' : 'impressions'},{' '}
            <strong>{totals.clicks.toLocaleString()}</strong> {totals.clicks === 1 ? 'click' : 'clicks'}.
          </p>
          <section class="card ads-card" aria-labelledby="chart-heading">
            <h2 id="chart-heading">Spend, impressions and clicks per day</h2>
            <Chart points={points} currency={acct.currency} />
            <details class="ads-table-details">
              <summary>The numbers as a table</summary>
              <DayTable points={points} currency={acct.currency} />
            </details>
          </section>
        </>
      )}
      <ReportDownload account={acct} campaignId={campaignId} range={range} />
      <p>
        <Link href={`/ads/${accountId}`}>Back to the campaigns</Link>
      </p>
    </AdsPage>
  );
}

function DayTable(props: { points: DayPoint[]; currency: string }) {
  return (
    <div class="ads-table-wrap">
      <table class="ads-table">
        <caption class="visually-hidden">Spend, impressions and clicks per day</caption>
        <thead>
          <tr>
            <th scope="col">Day</th>
            <th scope="col">Spend</th>
            <th scope="col">Impressions</th>
            <th scope="col">Clicks</th>
          </tr>
        </thead>
        <tbody>
          {props.points.map((p) => (
            <tr key={p.day}>
              <th scope="row">{p.day}</th>
              <td>{formatMoney(p.spend, props.currency)}</td>
              <td>{p.impressions.toLocaleString()}</td>
              <td>{p.clicks.toLocaleString()}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The days' spend (left axis, in the currency) and impressions and clicks (right axis), drawn by uPlot. */
function Chart(props: { points: DayPoint[]; currency: string }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const { points, currency } = props;

  useLayoutEffect(() => {
    const el = box.current!;
    const width = () => Math.max(280, el.clientWidth);
    const money = (v: number) => formatMoney(Math.round(v * MICRO), currency);
    const data: uPlot.AlignedData = [
      points.map((p) => Date.parse(`${p.day}T00:00:00Z`) / 1000),
      points.map((p) => p.spend / MICRO),
      points.map((p) => p.impressions),
      points.map((p) => p.clicks),
    ];
    const opts: uPlot.Options = {
      width: width(),
      height: 280,
      tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
      scales: {
        x: { time: true },
        money: { auto: true, range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
        count: { auto: true, range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] },
      },
      series: [
        { label: 'Day' },
        {
          label: `Spend (${currency})`,
          scale: 'money',
          stroke: '#c8102e',
          width: 2,
          value: (_u, v) => (v === null ? '—' : money(v)),
        },
        { label: 'Impressions', scale: 'count', stroke: '#1a5fd6', width: 2 },
        { label: 'Clicks', scale: 'count', stroke: '#2e7d32', width: 2, dash: [6, 4] },
      ],
      axes: [
        {
          // Whole days only: the data is per day.
          incrs: [86_400, 2 * 86_400, 7 * 86_400, 14 * 86_400, 28 * 86_400],
          values: (_u, splits) => splits.map((t) => new Date(t * 1000).toISOString().slice(5, 10)),
          space: 48,
        },
        { scale: 'money', values: (_u, splits) => splits.map((v) => money(v)), size: 70 },
        { scale: 'count', side: 1, grid: { show: false } },
      ],
    };
    plot.current = new uPlot(opts, data, el);
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: width(), height: 280 }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      plot.current?.destroy();
      plot.current = null;
    };
  }, [points, currency]);

  return (
    <div
      ref={box}
      class="ads-chart"
      role="img"
      aria-label={`Chart of spend, impressions and clicks from ${points[0]?.day} to ${points[points.length - 1]?.day}; the numbers are in the table below.`}
    />
  );
}

type ReportState =
  | { phase: 'idle' }
  | { phase: 'working'; status: string }
  | { phase: 'done'; url: string; size: number | null; name: string }
  | { phase: 'failed'; error: unknown };

const POLL_MS = 1000;
const POLL_LIMIT = 180;

/** The "Download report" button: an async report made through the API, polled, then downloaded. */
function ReportDownload(props: {
  account: AdAccount;
  campaignId: string | undefined;
  range: { start: string; end: string };
}) {
  const { account, campaignId, range } = props;
  const [state, setState] = useState<ReportState>({ phase: 'idle' });
  const live = useRef(true);
  const link = useRef<HTMLAnchorElement>(null);
  useEffect(
    () => () => {
      live.current = false;
    },
    [],
  );
  useEffect(() => {
    if (state.phase === 'done') link.current?.click();
  }, [state]);

  const run = async () => {
    setState({ phase: 'working', status: 'Asking for the report…' });
    try {
      const body = campaignId
        ? {
            level: 'CAMPAIGN',
            campaign_ids: [campaignId],
            columns: ['CAMPAIGN_ID', 'CAMPAIGN_NAME', SPEND, IMPRESSIONS, CLICKS],
          }
        : { level: 'ADVERTISER', columns: ['ADVERTISER_ID', SPEND, IMPRESSIONS, CLICKS] };
      const created = await ads.createReport(account.id, {
        ...body,
        start_date: range.start,
        end_date: range.end,
        granularity: 'DAY',
        report_format: 'CSV',
      });
      for (let i = 0; i < POLL_LIMIT && live.current; i++) {
        const s = await ads.reportStatus(account.id, created.token);
        if (s.report_status === 'FINISHED' && s.url) {
          const name = `corkboard-${campaignId ? `campaign-${campaignId}` : `account-${account.id}`}-${range.start}-${range.end}.csv`;
          setState({ phase: 'done', url: s.url, size: s.size, name });
          return;
        }
        if (s.report_status !== 'IN_PROGRESS')
          throw new Error(`The report could not be made (${s.report_status.toLowerCase()}).`);
        setState({ phase: 'working', status: `The report is being made (${i + 1} s)…` });
        await new Promise((r) => setTimeout(r, POLL_MS));
      }
      if (live.current) throw new Error('The report is taking too long. Try again in a moment.');
    } catch (err) {
      if (live.current) setState({ phase: 'failed', error: err });
    }
  };

  return (
    <section class="card ads-card" aria-labelledby="report-heading">
      <h2 id="report-heading">Report</h2>
      <p>
        A CSV file of {campaignId ? "this campaign's" : "the account's"} spend, impressions and clicks per
        day, from {range.start} to {range.end}.
      </p>
      <div class="ads-actions">
        <button type="button" class="btn btn-primary" disabled={state.phase === 'working'} onClick={run}>
          Download report
        </button>
      </div>
      <p role="status" class="ads-report-status">
        {state.phase === 'working' && state.status}
        {state.phase === 'done' && (
          <>
            The report is ready
            {state.size !== null ? ` (${state.size.toLocaleString()} bytes)` : ''}.{' '}
            <a ref={link} href={state.url} download={state.name}>
              Download it again
            </a>{' '}
            (the link works for five minutes).
          </>
        )}
      </p>
      {state.phase === 'failed' && <ErrorMessage error={state.error} onRetry={run} />}
    </section>
  );
}
