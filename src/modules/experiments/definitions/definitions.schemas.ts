import { Type } from 'typebox';
import { Page, PageQuery } from '../../../http/pagination.js';

// The /v5/experiments extension: snake_case JSON in the v5 style. Shares (holdout, ramp, rollout, bucket
// ranges) are basis points of 10,000 buckets (100 = 1%).

const KEY_PATTERN = '^[a-z0-9][a-z0-9_-]{0,63}$';
const Key = Type.String({
  pattern: KEY_PATTERN,
  description: 'Lower-case letters, digits, _ and -; 64 at most.',
});
const Text = (maxLength: number, description: string) => Type.String({ maxLength, description });
const Bp = (description: string) => Type.Integer({ minimum: 0, maximum: 10_000, description });
const Status = Type.Enum(['draft', 'running', 'stopped'], { type: 'string' });
const Time = Type.Union([Type.String({ format: 'date-time' }), Type.Null()]);

export const ParamValue = Type.Object({
  type: Type.Enum(['string', 'number', 'boolean', 'json'], { type: 'string' }),
  value: Type.Unknown({ description: 'Of the given type; any JSON value for `json`.' }),
});
const Parameter = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 64 }),
  type: ParamValue.properties.type,
  value: ParamValue.properties.value,
});
const Variant = Type.Object({
  key: Type.String({ minLength: 1, maxLength: 64 }),
  weight: Type.Integer({
    minimum: 0,
    maximum: 1_000_000,
    description: 'Share of the included units: weight / sum of weights.',
  }),
  parameters: Type.Optional(Type.Array(Parameter, { maxItems: 100 })),
});
const BucketRange = Type.Object({
  start: Type.Integer({ minimum: 0, maximum: 10_000 }),
  end: Type.Integer({ minimum: 0, maximum: 10_000, description: 'Exclusive.' }),
});
const Buckets = Type.Array(BucketRange, {
  minItems: 1,
  maxItems: 100,
  description: 'The layer buckets it owns.',
});
const Variants = Type.Array(Variant, { minItems: 1, maxItems: 50 });
const List = (item: ReturnType<typeof Type.String>, max: number) => Type.Array(item, { maxItems: max });
export const Targeting = Type.Object({
  audience: Type.Optional(Type.Enum(['new', 'returning'], { type: 'string' })),
  locales: Type.Optional(List(Type.String({ maxLength: 35 }), 200)),
  countries: Type.Optional(List(Type.String({ maxLength: 2 }), 250)),
  platforms: Type.Optional(
    Type.Array(Type.Enum(['web', 'ios', 'android', 'mobile-web'], { type: 'string' })),
  ),
  allow_list: Type.Optional(List(Type.String({ minLength: 1, maxLength: 64 }), 1000)),
});

const Effect = Type.Object(
  {
    relative: Type.Optional(
      Type.Number({ exclusiveMinimum: 0, description: "A share of the control's mean (0.05 = 5%)." }),
    ),
    absolute: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: "In the metric's unit." })),
  },
  {
    description:
      'The smallest effect worth detecting: exactly one of relative and absolute. Sets the power reported and the mSPRT mixing variance.',
  },
);
/** A minimum effect as answers show it: one of the two fields. */
export const EffectShown = Type.Object({
  relative: Type.Optional(Type.Number()),
  absolute: Type.Optional(Type.Number()),
});
const MetricChoice = Type.Object({
  key: Type.String({
    minLength: 1,
    maxLength: 64,
    description: 'A metric of the catalog (docs/experiments-metrics.md), e.g. saves_per_user.',
  }),
  guardrail: Type.Optional(
    Type.Boolean({ description: "Flag a significant move the wrong way (default: the catalog's)." }),
  ),
  minimum_effect: Type.Optional(Effect),
});
const Metrics = Type.Union([Type.Array(MetricChoice, { minItems: 1, maxItems: 50 }), Type.Null()], {
  description:
    'The metrics the results show, in order; the first is the primary (deciding) metric. null or absent: every catalog metric with its defaults. Analysis only: may change while the experiment runs.',
});

const experimentFields = {
  description: Type.Optional(Text(2000, 'What it tests.')),
  hypothesis: Type.Optional(Text(2000, 'What it is expected to show.')),
  owner: Type.Optional(Text(200, 'Who answers for it (a person or team, free text).')),
  buckets: Type.Optional(Buckets),
  variants: Type.Optional(Variants),
  targeting: Type.Optional(Targeting),
  ramp: Type.Optional(Bp('Basis points of eligible units included (ramp-up).')),
  metrics: Type.Optional(Metrics),
};

export const ExperimentCreate = Type.Object({
  ...experimentFields,
  key: Key,
  layer: Key,
  buckets: Buckets,
  variants: Variants,
});
export const ExperimentUpdate = Type.Object(experimentFields);
/** A restart may carry the changes a running experiment refuses (weights, variants, buckets). */
export const ExperimentRestart = Type.Object(experimentFields);

export const Experiment = Type.Object({
  key: Type.String(),
  layer: Type.String(),
  description: Type.String(),
  hypothesis: Type.String(),
  owner: Type.String(),
  salt: Type.String(),
  buckets: Type.Array(BucketRange),
  variants: Type.Array(
    Type.Object({ key: Type.String(), weight: Type.Integer(), parameters: Type.Array(Parameter) }),
  ),
  targeting: Targeting,
  ramp: Type.Integer(),
  metrics: Type.Union(
    [
      Type.Array(
        Type.Object({
          key: Type.String(),
          type: Type.String({ description: '`mean` or `ratio`.' }),
          guardrail: Type.Boolean(),
          higher_is_better: Type.Boolean(),
          minimum_effect: EffectShown,
        }),
      ),
      Type.Null(),
    ],
    {
      description:
        'The metrics the experiment is analysed on with their effective settings, the first the primary; null: every catalog metric with its defaults.',
    },
  ),
  status: Status,
  started_at: Time,
  stopped_at: Time,
  version: Type.Integer(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});
/** A write's answer: the definition and what the change does to people already assigned. */
export const ExperimentWritten = Type.Object({ ...Experiment.properties, notes: Type.Array(Type.String()) });

export const LayerCreate = Type.Object({
  key: Key,
  holdout: Type.Optional(Bp('Buckets [0, holdout) get no experiment of the layer.')),
  description: Type.Optional(Text(2000, 'What the layer is for.')),
});
export const LayerUpdate = Type.Object({
  holdout: LayerCreate.properties.holdout,
  description: LayerCreate.properties.description,
});
export const Layer = Type.Object({
  key: Type.String(),
  salt: Type.String(),
  holdout: Type.Integer(),
  description: Type.String(),
  version: Type.Integer(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

const flagFields = {
  description: Type.Optional(Text(2000, 'What the flag turns on.')),
  owner: Type.Optional(Text(200, 'Who answers for it.')),
  rollout: Type.Optional(Bp('Basis points of eligible units that get `value`.')),
  value: Type.Optional(ParamValue),
  default_value: Type.Optional(ParamValue),
  targeting: Type.Optional(Targeting),
};
export const FlagCreate = Type.Object({
  ...flagFields,
  key: Key,
  value: ParamValue,
  default_value: ParamValue,
});
export const FlagUpdate = Type.Object(flagFields);
export const Flag = Type.Object({
  key: Type.String(),
  description: Type.String(),
  owner: Type.String(),
  salt: Type.String(),
  rollout: Type.Integer(),
  value: ParamValue,
  default_value: ParamValue,
  targeting: Targeting,
  status: Status,
  version: Type.Integer(),
  created_at: Type.String({ format: 'date-time' }),
  updated_at: Type.String({ format: 'date-time' }),
});

export const AuditEntry = Type.Object({
  id: Type.String(),
  subject: Type.Enum(['experiment', 'layer', 'flag'], { type: 'string' }),
  key: Type.String(),
  action: Type.String(),
  actor: Type.String({ description: '`user:<id>` for the API, `cli:<name>` for the command line.' }),
  at: Type.String({ format: 'date-time' }),
  before: Type.Unknown(),
  after: Type.Unknown(),
  notes: Type.Array(Type.String()),
});

export const KeyParams = Type.Object({ key: Key });
export const ExperimentListQuery = Type.Object({
  ...PageQuery.properties,
  status: Type.Optional(Status),
  layer: Type.Optional(Key),
});
export const ListQuery = PageQuery;
export const ExperimentPage = Page(Experiment);
export const LayerPage = Page(Layer);
export const FlagPage = Page(Flag);
export const AuditPage = Page(AuditEntry);
