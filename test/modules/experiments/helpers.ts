import { sql } from 'kysely';
import type { App } from '../../../src/app.js';

/** Layer `layer` and running experiment `key` over all its buckets, 100% ramp, variants of `weights`. */
export async function runningExperiment(
  app: App,
  key: string,
  opts: { layer?: string; weights?: number[]; param?: string; controlSetsParam?: boolean } = {},
): Promise<{ salt: string }> {
  const svc = app.product.experiments;
  const layer = opts.layer ?? `layer-${key}`;
  const param = opts.param ?? 'blend';
  await svc.createLayer('cli:test', { key: layer, holdout: 0 }).catch(() => {});
  const weights = opts.weights ?? [1, 1];
  await svc.createExperiment('cli:test', {
    key,
    layer,
    buckets: [{ start: 0, end: 10_000 }],
    ramp: 10_000,
    variants: weights.map((weight, i) => ({
      key: i === 0 ? 'control' : `treatment${i}`,
      weight,
      parameters:
        i === 0 && opts.controlSetsParam === false ? [] : [{ name: param, type: 'number', value: i }],
    })),
  });
  const started = await svc.startExperiment('cli:test', key);
  return { salt: started.salt };
}

/** The EXPOSURE rows stored, oldest first. */
export async function exposureRows(app: App) {
  const { rows } = await sql<{
    id: string;
    day: string;
    user_id: string | null;
    device_id: string | null;
    experiment: string;
    experiment_run: string;
    variant: string;
  }>`select id, day::text as day, user_id::text as user_id, device_id, experiment, experiment_run, variant
       from events where kind = 'EXPOSURE' order by occurred_at, id`.execute(app.deps.db);
  return rows;
}
