import type { Static } from 'typebox';
import { Invalid } from '../../../platform/errors.js';
import type {
  BucketRange,
  Experiment as EngineExperiment,
  FeatureFlag as EngineFlag,
  Targeting as EngineTargeting,
  Param,
  Platform,
  Variant,
} from '../assignment/index.js';
import { type MetricChoice, metricsToApi } from '../metrics/metric-config.js';
import type { ExperimentRow, FlagRow, LayerRow } from './definitions.repository.js';
import type { ParamValue, Targeting } from './definitions.schemas.js';

// Between the API's snake_case JSON, the stored rows (the engine's own JSON) and the engine's types.

type ApiTargeting = Static<typeof Targeting>;
type ApiParam = Static<typeof ParamValue>;
export interface ApiVariant {
  key: string;
  weight: number;
  parameters?: { name: string; type: ApiParam['type']; value: unknown }[];
}

const iso = (d: Date | string) => new Date(d).toISOString();
const isoOrNull = (d: Date | string | null) => (d === null ? null : iso(d));

/** An experiment as the engine and the service see it, with its descriptive fields. */
export interface ExperimentRecord extends EngineExperiment {
  readonly description: string;
  readonly hypothesis: string;
  readonly owner: string;
  /** The metrics it is analysed on; null: the catalog's, with their defaults. */
  readonly metrics: readonly MetricChoice[] | null;
  readonly startedAt: Date | null;
  readonly stoppedAt: Date | null;
}

export interface FlagRecord extends EngineFlag {
  readonly description: string;
  readonly owner: string;
}

/** The engine's targeting from the API's (absent lists stay absent: they do not restrict). */
export function targetingFromApi(t: ApiTargeting | undefined): EngineTargeting {
  if (!t) return {};
  const out: { -readonly [K in keyof EngineTargeting]: EngineTargeting[K] } = {};
  if (t.audience !== undefined) out.audience = t.audience as 'new' | 'returning';
  if (t.locales !== undefined) out.locales = [...t.locales];
  if (t.countries !== undefined) out.countries = [...t.countries];
  if (t.platforms !== undefined) out.platforms = [...t.platforms] as Platform[];
  if (t.allow_list !== undefined) out.allowList = [...new Set(t.allow_list)];
  return out;
}

export function targetingToApi(t: EngineTargeting): ApiTargeting {
  const out: ApiTargeting = {};
  if (t.audience !== undefined) out.audience = t.audience;
  if (t.locales !== undefined) out.locales = [...t.locales];
  if (t.countries !== undefined) out.countries = [...t.countries];
  if (t.platforms !== undefined) out.platforms = [...t.platforms];
  if (t.allowList !== undefined) out.allow_list = [...t.allowList];
  return out;
}

/** A typed value from the API: `{type, value}` only, whatever else the object held. */
export function paramFromApi(p: { type: string; value: unknown }): Param {
  return { type: p.type, value: p.value } as Param;
}

export function variantsFromApi(variants: readonly ApiVariant[]): Variant[] {
  return variants.map((v) => {
    const params: Record<string, Param> = {};
    for (const p of v.parameters ?? []) {
      if (Object.hasOwn(params, p.name))
        throw new Invalid(`variant ${v.key}: parameter ${p.name} is given twice.`);
      params[p.name] = paramFromApi(p);
    }
    return { key: v.key, weight: v.weight, params };
  });
}

export function variantsToApi(variants: readonly Variant[]) {
  return variants.map((v) => ({
    key: v.key,
    weight: v.weight,
    parameters: Object.entries(v.params).map(([name, p]) => ({ name, type: p.type, value: p.value })),
  }));
}

export const rangesFromApi = (ranges: readonly BucketRange[]): BucketRange[] =>
  ranges.map((r) => ({ start: r.start, end: r.end }));

export function experimentOf(row: ExperimentRow): ExperimentRecord {
  return {
    key: row.key,
    salt: row.salt,
    layer: row.layer,
    buckets: row.buckets as BucketRange[],
    variants: row.variants as Variant[],
    targeting: row.targeting as EngineTargeting,
    ramp: row.ramp,
    status: row.status,
    description: row.description,
    hypothesis: row.hypothesis,
    owner: row.owner,
    metrics: (row.metrics as MetricChoice[] | null) ?? null,
    startedAt: row.started_at,
    stoppedAt: row.stopped_at,
  };
}

/** Only what the engine reads: the stored definition JSON of checkChange and compile. */
export const engineExperiment = (e: ExperimentRecord): EngineExperiment => ({
  key: e.key,
  salt: e.salt,
  layer: e.layer,
  buckets: e.buckets,
  variants: e.variants,
  targeting: e.targeting,
  ramp: e.ramp,
  status: e.status,
});

export function presentExperiment(row: ExperimentRow) {
  const e = experimentOf(row);
  return {
    key: e.key,
    layer: e.layer,
    description: e.description,
    hypothesis: e.hypothesis,
    owner: e.owner,
    salt: e.salt,
    buckets: rangesFromApi(e.buckets),
    variants: variantsToApi(e.variants),
    targeting: targetingToApi(e.targeting),
    ramp: e.ramp,
    metrics: metricsToApi(e.metrics),
    status: e.status,
    started_at: isoOrNull(row.started_at),
    stopped_at: isoOrNull(row.stopped_at),
    version: row.version,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

export function presentLayer(row: LayerRow) {
  return {
    key: row.key,
    salt: row.salt,
    holdout: row.holdout,
    description: row.description,
    version: row.version,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

export function flagOf(row: FlagRow): FlagRecord {
  return {
    key: row.key,
    salt: row.salt,
    rollout: row.rollout,
    value: row.value as Param,
    defaultValue: row.default_value as Param,
    targeting: row.targeting as EngineTargeting,
    status: row.status,
    description: row.description,
    owner: row.owner,
  };
}

export function presentFlag(row: FlagRow) {
  const f = flagOf(row);
  return {
    key: f.key,
    description: f.description,
    owner: f.owner,
    salt: f.salt,
    rollout: f.rollout,
    value: { type: f.value.type, value: f.value.value },
    default_value: { type: f.defaultValue.type, value: f.defaultValue.value },
    targeting: targetingToApi(f.targeting),
    status: f.status,
    version: row.version,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}
