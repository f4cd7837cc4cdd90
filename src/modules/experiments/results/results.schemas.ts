import { Type } from 'typebox';
import { EffectShown } from '../definitions/definitions.schemas.js';

// GET /v5/experiments/{key}/results. A number the statistics cannot give (an empty variant, n < 2, no
// variance) is null, never NaN; each block names the test it comes from.

const N = Type.Union([Type.Number(), Type.Null()]);
const Range = Type.Object({ lower: N, upper: N });

export const ResultsQuery = Type.Object({
  alpha: Type.Optional(
    Type.Number({
      minimum: 0.001,
      maximum: 0.2,
      description: 'Two-sided significance level of every test and interval (default 0.05).',
    }),
  ),
  format: Type.Optional(
    Type.Enum(['json', 'text'], {
      type: 'string',
      description: '`text`: the same results as a plain-text report (text/plain), as the CLI prints it.',
    }),
  ),
});

const Comparison = Type.Object({
  variant: Type.String(),
  against: Type.String({ description: 'The control: the first variant.' }),
  fixed_horizon: Type.Object({
    test: Type.String(),
    difference: N,
    standard_error: N,
    interval: Range,
    relative: Type.Object({ test: Type.String(), estimate: N, interval: Range }),
    statistic: N,
    df: N,
    p_value: N,
    holm_p_value: N,
    holm_test: Type.String(),
    significant: Type.Boolean({ description: 'Holm-corrected p-value below alpha.' }),
  }),
  power: Type.Object({
    test: Type.String(),
    minimum_effect: N,
    power: N,
  }),
  cuped: Type.Union([
    Type.Object({
      test: Type.String(),
      theta: N,
      correlation: N,
      variance_factor: N,
      control_mean: N,
      treatment_mean: N,
      difference: N,
      interval: Range,
      p_value: N,
    }),
    Type.Null(),
  ]),
  sequential: Type.Object({
    test: Type.String(),
    tau2: N,
    looks: Type.Integer(),
    p_value: N,
    confidence_sequence: Range,
    significant: Type.Boolean(),
  }),
  guardrail_alarm: Type.Boolean({
    description: 'A guardrail metric moved significantly (Holm) in the wrong direction.',
  }),
});

export const Results = Type.Object({
  experiment: Type.String(),
  run: Type.String({ description: "The experiment's salt: results start again at a restart." }),
  status: Type.String(),
  started_at: Type.Union([Type.String(), Type.Null()]),
  control: Type.String(),
  alpha: Type.Number(),
  looks: Type.Integer({ description: 'Days with data: the looks of the sequential test.' }),
  primary_metric: Type.String({ description: 'The first metric analysed: the one the decision rests on.' }),
  metrics_configured: Type.Boolean({
    description: 'Whether the experiment names its metrics (else every catalog metric with its defaults).',
  }),
  exposures: Type.Object({
    variants: Type.Array(
      Type.Object({ variant: Type.String(), weight: Type.Integer(), units: Type.Integer() }),
    ),
    srm: Type.Object({
      test: Type.String(),
      statistic: N,
      df: Type.Integer(),
      p_value: N,
      alarm: Type.Boolean(),
      threshold: Type.Number(),
    }),
  }),
  metrics: Type.Array(
    Type.Object({
      metric: Type.String(),
      type: Type.String(),
      description: Type.String(),
      primary: Type.Boolean({ description: 'The primary (deciding) metric: the first analysed.' }),
      guardrail: Type.Boolean(),
      higher_is_better: Type.Boolean(),
      minimum_effect: EffectShown,
      variants: Type.Array(
        Type.Object({ variant: Type.String(), units: Type.Integer(), mean: N, variance: N }),
      ),
      comparisons: Type.Array(Comparison),
    }),
  ),
});
