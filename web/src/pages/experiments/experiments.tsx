import '../../styles/experiments.css';
import { useEffect, useState } from 'preact/hooks';
import { type Experiment, listExperiments } from '../../api/experiments.js';
import { Link } from '../../components/link.js';
import { ExperimentsError } from './access.js';
import { formatDateTime, formatShare, weightShares } from './format.js';
import { StatusBadge } from './status-badge.js';

type Load =
  | { state: 'loading' }
  | { state: 'error'; error: unknown }
  | { state: 'ready'; items: Experiment[] };

/** Every experiment of this instance, by key: state, variants, dates; each links to its results. */
export function ExperimentsPage() {
  const [list, setList] = useState<Load>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setList({ state: 'loading' });
    (async () => {
      const items: Experiment[] = [];
      let bookmark: string | null = null;
      // Instances hold tens of experiments, not thousands: read them all (at most 20 pages).
      for (let i = 0; i < 20; i++) {
        const page = await listExperiments(bookmark);
        items.push(...page.items);
        bookmark = page.bookmark;
        if (!bookmark) break;
      }
      return items;
    })().then(
      (items) => live && setList({ state: 'ready', items }),
      (error: unknown) => live && setList({ state: 'error', error }),
    );
    return () => {
      live = false;
    };
  }, [attempt]);

  return (
    <main id="main" class="page experiments-page">
      <h1>Experiments</h1>
      {list.state === 'loading' && (
        <p class="loading muted" role="status">
          Loading experiments…
        </p>
      )}
      {list.state === 'error' && (
        <ExperimentsError error={list.error} onRetry={() => setAttempt((a) => a + 1)} />
      )}
      {list.state === 'ready' &&
        (list.items.length === 0 ? (
          <p class="muted">
            No experiments yet. Operators create them through the API (docs/experiments-api.md).
          </p>
        ) : (
          <ul class="experiment-list">
            {list.items.map((e) => (
              <ExperimentItem key={e.key} experiment={e} />
            ))}
          </ul>
        ))}
    </main>
  );
}

function ExperimentItem(props: { experiment: Experiment }) {
  const e = props.experiment;
  const shares = weightShares(e);
  return (
    <li class="card experiment-item" data-key={e.key}>
      <div class="experiment-item-head">
        <h2>
          <Link href={`/experiments/${e.key}`}>{e.key}</Link>
        </h2>
        <StatusBadge status={e.status} />
      </div>
      {e.description && <p class="experiment-description">{e.description}</p>}
      <dl class="facts">
        <div>
          <dt>Variants</dt>
          <dd>
            {e.variants.map((v, i) => (
              <span key={v.key} class="chip">
                {v.key} <span class="muted">{formatShare(shares[i]!)}</span>
              </span>
            ))}
          </dd>
        </div>
        <div>
          <dt>Layer</dt>
          <dd>{e.layer}</dd>
        </div>
        <div>
          <dt>Primary metric</dt>
          <dd>{e.metrics?.[0]?.key ?? 'saves_per_user (catalog)'}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{formatDateTime(e.started_at)}</dd>
        </div>
        {e.stopped_at && (
          <div>
            <dt>Stopped</dt>
            <dd>{formatDateTime(e.stopped_at)}</dd>
          </div>
        )}
      </dl>
    </li>
  );
}
