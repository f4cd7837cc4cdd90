import '../../styles/experiments.css';
import { useEffect, useState } from 'preact/hooks';
import {
  type Comparison,
  type Experiment,
  getExperiment,
  getResults,
  type MetricResult,
  type Results,
} from '../../api/experiments.js';
import { Link } from '../../components/link.js';
import { ExperimentsError } from './access.js';
import {
  formatDateTime,
  formatInteger,
  formatLift,
  formatNumber,
  formatP,
  formatShare,
  formatSigned,
  weightShares,
} from './format.js';
import { IntervalPlot } from './interval-plot.js';
import { StatusBadge } from './status-badge.js';
import { sequentialVerdict, verdictOf } from './verdict.js';

type Load =
  | { state: 'loading' }
  | { state: 'error'; error: unknown }
  | { state: 'ready'; experiment: Experiment; results: Results };

/** One experiment's results: exposures and the sample-ratio check, then every metric's comparisons. */
export function ExperimentPage(props: { experimentKey: string }) {
  const key = props.experimentKey;
  const [load, setLoad] = useState<Load>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setLoad({ state: 'loading' });
    Promise.all([getExperiment(key), getResults(key)]).then(
      ([experiment, results]) => {
        if (!live) return;
        setLoad({ state: 'ready', experiment, results });
        document.title = `${experiment.key} · Experiments · Corkboard`;
      },
      (error: unknown) => live && setLoad({ state: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [key, attempt]);

  return (
    <main id="main" class="page experiments-page">
      <p class="crumbs">
        <Link href="/experiments">All experiments</Link>
      </p>
      {load.state !== 'ready' && <h1>{key}</h1>}
      {load.state === 'loading' && (
        <p class="loading muted" role="status">
          Loading results…
        </p>
      )}
      {load.state === 'error' && (
        <ExperimentsError error={load.error} onRetry={() => setAttempt((a) => a + 1)} />
      )}
      {load.state === 'ready' && <ResultsView experiment={load.experiment} results={load.results} />}
    </main>
  );
}

function ResultsView(props: { experiment: Experiment; results: Results }) {
  const { experiment: e, results: r } = props;
  const level = formatShare(1 - r.alpha);
  return (
    <>
      <div class="experiment-head">
        <h1>{e.key}</h1>
        <StatusBadge status={r.status} />
      </div>
      {e.description && <p class="experiment-description">{e.description}</p>}
      {e.hypothesis && (
        <p class="experiment-description">
          <strong>Hypothesis:</strong> {e.hypothesis}
        </p>
      )}
      <dl class="facts">
        <div>
          <dt>Started</dt>
          <dd>{formatDateTime(r.started_at)}</dd>
        </div>
        {e.stopped_at && (
          <div>
            <dt>Stopped</dt>
            <dd>{formatDateTime(e.stopped_at)}</dd>
          </div>
        )}
        <div>
          <dt>Layer</dt>
          <dd>{e.layer}</dd>
        </div>
        <div>
          <dt>Control</dt>
          <dd>{r.control}</dd>
        </div>
        <div>
          <dt>Days with data</dt>
          <dd>{formatInteger(r.looks)}</dd>
        </div>
        <div>
          <dt>Significance level</dt>
          <dd>
            α = {formatNumber(r.alpha)} ({level} intervals)
          </dd>
        </div>
      </dl>
      <Exposures results={r} experiment={e} />
      <section class="experiment-section" aria-labelledby="metrics-heading">
        <h2 id="metrics-heading">Metrics</h2>
        <p class="muted method-note">
          Each treatment against {r.control}. Significance is Holm-corrected over {comparisonsText(r)}; the
          sequential verdict (mSPRT) stays valid however often the results are read.
          {!r.metrics_configured && ' The experiment names no metrics: every catalog metric is analysed.'}
        </p>
        {r.metrics.map((m) => (
          <MetricCard key={m.metric} metric={m} level={level} alpha={r.alpha} />
        ))}
      </section>
    </>
  );
}

function comparisonsText(r: Results): string {
  const n = r.metrics.reduce((sum, m) => sum + m.comparisons.length, 0);
  if (n === 1) return 'its one comparison';
  return n === 2 ? 'both comparisons' : `all ${formatInteger(n)} comparisons`;
}

function Exposures(props: { results: Results; experiment: Experiment }) {
  const { exposures } = props.results;
  const shares = weightShares({
    variants: exposures.variants.map((v) => ({ ...v, key: v.variant, parameters: [] })),
  });
  const total = exposures.variants.reduce((s, v) => s + v.units, 0);
  const srm = exposures.srm;
  return (
    <section class="experiment-section" aria-labelledby="exposures-heading">
      <h2 id="exposures-heading">Exposures</h2>
      {srm.alarm ? (
        <div class="notice srm-alarm" role="alert">
          <p class="srm-title">Sample ratio mismatch</p>
          <p>
            The units exposed do not match the variants' weights (χ² = {formatNumber(srm.statistic)}, p ={' '}
            {formatP(srm.p_value)}, alarm below {formatNumber(srm.threshold)}). Something assigns, serves or
            counts the variants' people differently: do not trust the results below until the cause is found.
          </p>
        </div>
      ) : (
        <p class="srm-ok">
          Sample ratio check passed: the units match the weights (χ² p = {formatP(srm.p_value)}; the alarm is
          below {formatNumber(srm.threshold)}).
        </p>
      )}
      <div class="table-fit">
        <table class="data-table exposures-table">
          <caption class="visually-hidden">Units exposed per variant</caption>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col" class="num">
                Expected share
              </th>
              <th scope="col" class="num">
                Units
              </th>
              <th scope="col" class="num">
                Observed share
              </th>
            </tr>
          </thead>
          <tbody>
            {exposures.variants.map((v, i) => (
              <tr key={v.variant} data-variant={v.variant}>
                <th scope="row">{v.variant}</th>
                <td class="num">{formatShare(shares[i]!)}</td>
                <td class="num units">{formatInteger(v.units)}</td>
                <td class="num">{total > 0 ? formatShare(v.units / total) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function effectText(m: MetricResult): string {
  const e = m.minimum_effect;
  if (e.relative !== undefined) return `${formatShare(e.relative)} (relative)`;
  if (e.absolute !== undefined) return `${formatNumber(e.absolute)} (absolute)`;
  return 'the default';
}

function MetricCard(props: { metric: MetricResult; level: string; alpha: number }) {
  const { metric: m, level } = props;
  const headingId = `metric-${m.metric}`;
  return (
    <article class="card metric-card" aria-labelledby={headingId} data-metric={m.metric}>
      <div class="metric-head">
        <h3 id={headingId}>{m.metric}</h3>
        {m.primary && <span class="tag tag-primary">Primary</span>}
        {m.guardrail && <span class="tag tag-guardrail">Guardrail</span>}
        {!m.higher_is_better && <span class="tag">Lower is better</span>}
      </div>
      <p class="muted metric-description">{m.description}</p>
      {m.comparisons.some((c) => c.guardrail_alarm) && (
        <p class="notice guardrail-alarm">
          Guardrail alarm:{' '}
          {m.comparisons
            .filter((c) => c.guardrail_alarm)
            .map((c) => c.variant)
            .join(', ')}{' '}
          moved this metric significantly the wrong way.
        </p>
      )}
      <div class="table-fit">
        <table class="data-table metric-variants">
          <caption class="visually-hidden">Mean of {m.metric} per variant</caption>
          <thead>
            <tr>
              <th scope="col">Variant</th>
              <th scope="col" class="num">
                Units
              </th>
              <th scope="col" class="num">
                Mean
              </th>
            </tr>
          </thead>
          <tbody>
            {m.variants.map((v) => (
              <tr key={v.variant}>
                <th scope="row">{v.variant}</th>
                <td class="num">{formatInteger(v.units)}</td>
                <td class="num">{formatNumber(v.mean)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <figure class="plot-figure">
        <figcaption>
          Lift over the control with its {level} interval (Holm-corrected colour:{' '}
          <span class="key-better">better</span>, <span class="key-worse">worse</span>,{' '}
          <span class="key-unclear">not significant</span>)
        </figcaption>
        <IntervalPlot
          comparisons={m.comparisons}
          higherIsBetter={m.higher_is_better}
          level={level}
          label={`Lift of ${m.metric} over the control`}
        />
      </figure>
      {m.comparisons.map((c) => (
        <ComparisonFacts key={c.variant} comparison={c} metric={m} level={level} alpha={props.alpha} />
      ))}
    </article>
  );
}

function ComparisonFacts(props: {
  comparison: Comparison;
  metric: MetricResult;
  level: string;
  alpha: number;
}) {
  const { comparison: c, metric: m, level } = props;
  const f = c.fixed_horizon;
  const verdict = verdictOf(c, m.higher_is_better);
  const words =
    verdict === 'none'
      ? 'Not enough data yet'
      : verdict === 'unclear'
        ? 'Not significant after Holm correction'
        : `Significantly ${verdict} (Holm-corrected)`;
  return (
    <section class="comparison" data-variant={c.variant} aria-label={`${c.variant} against ${c.against}`}>
      <h4>
        {c.variant} <span class="muted">against {c.against}</span>:{' '}
        <span class={`verdict verdict-${verdict}`}>{words}</span>
      </h4>
      <dl class="comparison-facts">
        <div>
          <dt>Lift</dt>
          <dd>
            {formatLift(f.relative.estimate)}{' '}
            <span class="muted">
              ({level}: {formatLift(f.relative.interval.lower)} to {formatLift(f.relative.interval.upper)})
            </span>
          </dd>
        </div>
        <div>
          <dt>Difference</dt>
          <dd>
            {formatSigned(f.difference)}{' '}
            <span class="muted">
              ({formatSigned(f.interval.lower)} to {formatSigned(f.interval.upper)})
            </span>
          </dd>
        </div>
        <div>
          <dt>p-value</dt>
          <dd>
            {formatP(f.p_value)} <span class="muted">· Holm-adjusted {formatP(f.holm_p_value)}</span>
          </dd>
        </div>
        <div>
          <dt>Sequential (mSPRT)</dt>
          <dd class="verdict-sequential">{sequentialVerdict(c)}</dd>
        </div>
        <div>
          <dt>Confidence sequence</dt>
          <dd>
            {formatSigned(c.sequential.confidence_sequence.lower)} to{' '}
            {formatSigned(c.sequential.confidence_sequence.upper)}
          </dd>
        </div>
        <div>
          <dt>Power</dt>
          <dd class="power">
            {c.power.power === null ? '—' : formatShare(c.power.power)}{' '}
            <span class="muted">at a minimum effect of {effectText(m)}</span>
          </dd>
        </div>
        {c.cuped && (
          <div>
            <dt>CUPED</dt>
            <dd>
              {formatSigned(c.cuped.difference)}{' '}
              <span class="muted">
                ({formatSigned(c.cuped.interval.lower)} to {formatSigned(c.cuped.interval.upper)}), p ={' '}
                {formatP(c.cuped.p_value)}
              </span>
            </dd>
          </div>
        )}
      </dl>
    </section>
  );
}
