import { Invalid } from '../../../platform/errors.js';
import type { MinimumEffect } from '../stats/index.js';
import { METRICS, type MetricDefinition } from './metric-catalog.js';

/**
 * One metric an experiment names, as stored with it (`experiments.metrics`): a catalog key, and what it
 * changes of the catalog's defaults for this experiment.
 */
export interface MetricChoice {
  readonly key: string;
  readonly guardrail?: boolean;
  readonly minimumEffect?: MinimumEffect;
}

/** The API's shape of a metric choice (snake_case; `minimum_effect` holds exactly one of its fields). */
export interface ApiMetricChoice {
  key: string;
  guardrail?: boolean;
  minimum_effect?: { relative?: number; absolute?: number };
}

const byKey = new Map(METRICS.map((m) => [m.key, m]));

/** The catalog's keys, in the catalog's order. */
export const METRIC_KEYS: readonly string[] = METRICS.map((m) => m.key);

function effectFromApi(at: string, e: NonNullable<ApiMetricChoice['minimum_effect']>): MinimumEffect {
  const given = (['relative', 'absolute'] as const).filter((k) => e[k] !== undefined);
  if (given.length !== 1)
    throw new Invalid(`${at}.minimum_effect: give exactly one of relative and absolute.`);
  const k = given[0]!;
  const v = e[k]!;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0)
    throw new Invalid(`${at}.minimum_effect.${k}: must be a positive number.`);
  return k === 'relative' ? { relative: v } : { absolute: v };
}

/**
 * The stored choices from the API's list: each key from the catalog, none twice, each minimum effect
 * one positive number. null (or absent) stays null: the catalog with its defaults.
 */
export function metricsFromApi(list: readonly ApiMetricChoice[] | null | undefined): MetricChoice[] | null {
  if (list === null || list === undefined) return null;
  if (list.length === 0)
    throw new Invalid('metrics: name at least one metric, or null for the catalog defaults.');
  const seen = new Set<string>();
  return list.map((m, i) => {
    const at = `metrics[${i}]`;
    if (!byKey.has(m.key))
      throw new Invalid(
        `${at}.key: unknown metric "${String(m.key).slice(0, 64)}"; one of ${METRIC_KEYS.join(', ')}.`,
      );
    if (seen.has(m.key)) throw new Invalid(`${at}.key: ${m.key} is named twice.`);
    seen.add(m.key);
    return {
      key: m.key,
      ...(m.guardrail !== undefined && { guardrail: m.guardrail }),
      ...(m.minimum_effect !== undefined && { minimumEffect: effectFromApi(at, m.minimum_effect) }),
    };
  });
}

/**
 * The metrics an experiment is analysed on, in its order (the first is the primary, deciding metric):
 * the catalog's definitions with the experiment's guardrail flags and minimum effects. Without a choice,
 * the whole catalog with its defaults.
 */
export function analysedMetrics(choices: readonly MetricChoice[] | null): MetricDefinition[] {
  if (!choices) return [...METRICS];
  const out: MetricDefinition[] = [];
  // A key the catalog no longer has (a metric retired after the experiment named it) is left out.
  for (const c of choices) {
    const m = byKey.get(c.key);
    if (!m) continue;
    out.push({
      ...m,
      guardrail: c.guardrail ?? m.guardrail,
      minimumEffect: c.minimumEffect ?? m.minimumEffect,
    });
  }
  return out.length > 0 ? out : [...METRICS];
}

/** A minimum effect as the API shows it. */
export const effectToApi = (e: MinimumEffect) =>
  'relative' in e ? { relative: e.relative } : { absolute: e.absolute };

/** The experiment's metrics as the API shows them (each with its effective settings), or null. */
export function metricsToApi(choices: readonly MetricChoice[] | null) {
  if (!choices) return null;
  return analysedMetrics(choices).map((m) => ({
    key: m.key,
    type: m.type,
    guardrail: m.guardrail,
    higher_is_better: m.higherIsBetter,
    minimum_effect: effectToApi(m.minimumEffect),
  }));
}
