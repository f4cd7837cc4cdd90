import { currentToken } from '../auth/session.js';
import { ApiError, api, query } from './client.js';
import type { Page } from './types.js';

// The experiments extension (docs/experiments-api.md): operators only, with the experiments:read scope.

export type ExperimentStatus = 'draft' | 'running' | 'stopped' | string;

export interface ExperimentVariant {
  key: string;
  weight: number;
  parameters: { name: string; type: string; value: unknown }[];
}

export interface MinimumEffect {
  relative?: number;
  absolute?: number;
}

export interface Experiment {
  key: string;
  layer: string;
  description: string;
  hypothesis: string;
  owner: string;
  buckets: { start: number; end: number }[];
  variants: ExperimentVariant[];
  ramp: number;
  metrics:
    | {
        key: string;
        type?: string;
        guardrail?: boolean;
        higher_is_better?: boolean;
        minimum_effect?: MinimumEffect;
      }[]
    | null;
  status: ExperimentStatus;
  started_at: string | null;
  stopped_at: string | null;
  created_at: string;
  updated_at: string;
}

type N = number | null;
export interface Range {
  lower: N;
  upper: N;
}

export interface Comparison {
  variant: string;
  against: string;
  fixed_horizon: {
    test: string;
    difference: N;
    standard_error: N;
    interval: Range;
    relative: { test: string; estimate: N; interval: Range };
    statistic: N;
    df: N;
    p_value: N;
    holm_p_value: N;
    holm_test: string;
    significant: boolean;
  };
  power: { test: string; minimum_effect: N; power: N };
  cuped: {
    test: string;
    difference: N;
    interval: Range;
    p_value: N;
    variance_factor: N;
  } | null;
  sequential: {
    test: string;
    tau2: N;
    looks: number;
    p_value: N;
    confidence_sequence: Range;
    significant: boolean;
  };
  guardrail_alarm: boolean;
}

export interface MetricResult {
  metric: string;
  type: string;
  description: string;
  primary: boolean;
  guardrail: boolean;
  higher_is_better: boolean;
  minimum_effect: MinimumEffect;
  variants: { variant: string; units: number; mean: N; variance: N }[];
  comparisons: Comparison[];
}

export interface Results {
  experiment: string;
  run: string;
  status: ExperimentStatus;
  started_at: string | null;
  control: string;
  alpha: number;
  looks: number;
  primary_metric: string;
  metrics_configured: boolean;
  exposures: {
    variants: { variant: string; weight: number; units: number }[];
    srm: { test: string; statistic: N; df: number; p_value: N; alarm: boolean; threshold: number };
  };
  metrics: MetricResult[];
}

export function listExperiments(bookmark: string | null): Promise<Page<Experiment>> {
  return api<Page<Experiment>>(`/v5/experiments${query({ page_size: 100, bookmark })}`);
}

export function getExperiment(key: string): Promise<Experiment> {
  return api<Experiment>(`/v5/experiments/${encodeURIComponent(key)}`);
}

export function getResults(key: string, alpha?: number): Promise<Results> {
  return api<Results>(`/v5/experiments/${encodeURIComponent(key)}/results${query({ alpha })}`);
}

/** Whether a failure means the person may not read experiments (not an operator, or no scope). */
export function isForbidden(err: unknown): boolean {
  return err instanceof ApiError && err.status === 403;
}

/** Whether this token may read experiments: the list is tried once per token (the top bar's link). */
const seen = new Map<string, Promise<boolean>>();
export function canSeeExperiments(): Promise<boolean> {
  const token = currentToken();
  if (!token) return Promise.resolve(false);
  let known = seen.get(token);
  if (!known) {
    known = api<unknown>('/v5/experiments?page_size=1').then(
      () => true,
      (err: unknown) => {
        // Only a refusal is remembered; a failure to answer is asked again next time.
        if (!isForbidden(err)) seen.delete(token);
        return false;
      },
    );
    seen.set(token, known);
  }
  return known;
}
