import { Type } from 'typebox';
import { Id } from '../../http/id.js';

const Day = (description: string) => Type.String({ format: 'date', description });
const lit = <T extends string>(values: readonly T[]) => Type.Union(values.map((v) => Type.Literal(v)));

/** Comma-separated (or repeated) lists: each item is split on commas and checked by the service. */
const List = (description: string) =>
  Type.Array(Type.String({ maxLength: 2000 }), { description, maxItems: 100 });

const AdAccountId = Type.Optional(
  Type.String({
    pattern: '^\\d+$',
    maxLength: 18,
    description: 'Business access is not offered: any value is a 403.',
  }),
);

const common = {
  start_date: Day('Report start date (UTC), at most 90 days back from today.'),
  end_date: Day('Report end date (UTC), not in the future and at most 90 days past start_date.'),
  app_types: Type.Optional(lit(['ALL', 'MOBILE', 'TABLET', 'WEB'] as const)),
  ad_account_id: AdAccountId,
};

const PIN_METRICS_HELP =
  "Comma-separated. Measured: IMPRESSION, SAVE, PIN_CLICK, OUTBOUND_CLICK, SAVE_RATE; the spec's other Pin metric types (video, comments, reactions, follows, profile visits) are accepted and left out of the answer.";
const USER_METRICS_HELP =
  'Comma-separated, default all: IMPRESSION, SAVE, PIN_CLICK, OUTBOUND_CLICK, ENGAGEMENT (= SAVE + PIN_CLICK + OUTBOUND_CLICK) and their *_RATE (metric / IMPRESSION, 0 when there are no impressions).';

export const PinIdParams = Type.Object({ pin_id: Id });

export const PinAnalyticsQuery = Type.Object({
  ...common,
  metric_types: List(PIN_METRICS_HELP),
  split_field: Type.Optional(lit(['NO_SPLIT', 'APP_TYPE'] as const)),
});

export const MultiPinAnalyticsQuery = Type.Object({
  ...common,
  pin_ids: List('Comma-separated Pin ids, 1 to 100, all yours.'),
  metric_types: List(PIN_METRICS_HELP),
});

const userFilters = {
  from_claimed_content: Type.Optional(lit(['OTHER', 'CLAIMED', 'BOTH'] as const)),
  pin_format: Type.Optional(
    lit([
      'ALL',
      'ORGANIC_IMAGE',
      'ORGANIC_PRODUCT',
      'ORGANIC_VIDEO',
      'ADS_STANDARD',
      'ADS_PRODUCT',
      'ADS_VIDEO',
      'ADS_IDEA',
    ] as const),
  ),
  content_type: Type.Optional(lit(['ALL', 'PAID', 'ORGANIC'] as const)),
  source: Type.Optional(lit(['ALL', 'YOUR_PINS', 'OTHER_PINS'] as const)),
  metric_types: Type.Optional(List(USER_METRICS_HELP)),
};

export const UserAnalyticsQuery = Type.Object({
  ...common,
  ...userFilters,
  split_field: Type.Optional(lit(['NO_SPLIT', 'APP_TYPE', 'OWNED_CONTENT', 'SOURCE', 'PIN_FORMAT'] as const)),
});

export const SORT_BY = ['ENGAGEMENT', 'IMPRESSION', 'OUTBOUND_CLICK', 'PIN_CLICK', 'SAVE'] as const;

export const TopPinsQuery = Type.Object({
  ...common,
  ...userFilters,
  sort_by: lit(SORT_BY),
  num_of_pins: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
  created_in_last_n_days: Type.Optional(Type.Literal(30)),
});

const DataStatus = Type.String({
  description: 'READY, PROCESSING (today, or events still being rolled up) or BEFORE_PIN_CREATED.',
});
const MetricMap = Type.Record(Type.String(), Type.Number());

const Daily = Type.Object({ date: Type.String(), data_status: DataStatus, metrics: MetricMap });

export const PinAnalyticsMetrics = Type.Object({
  daily_metrics: Type.Array(Daily),
  summary_metrics: MetricMap,
  lifetime_metrics: Type.Record(Type.String(), Type.Integer()),
});

export const PinAnalyticsResponse = Type.Record(Type.String(), PinAnalyticsMetrics);
export const BulkPinAnalyticsResponse = Type.Record(Type.String(), PinAnalyticsResponse);

export const AnalyticsResponse = Type.Record(
  Type.String(),
  Type.Object({ daily_metrics: Type.Array(Daily), summary_metrics: MetricMap }),
);

const DateAvailability = Type.Object({
  is_realtime: Type.Boolean(),
  latest_available_timestamp: Type.Number(),
});

export const TopPinsResponse = Type.Object({
  date_availability: DateAvailability,
  pins: Type.Array(
    Type.Object({
      pin_id: Type.String(),
      metrics: MetricMap,
      data_status: Type.Record(Type.String(), DataStatus),
    }),
  ),
  sort_by: lit(SORT_BY),
});

export const VIDEO_SORT_BY = [
  'IMPRESSION',
  'SAVE',
  'OUTBOUND_CLICK',
  'VIDEO_MRC_VIEW',
  'VIDEO_AVG_WATCH_TIME',
  'VIDEO_V50_WATCH_TIME',
  'QUARTILE_95_PERCENT_VIEW',
  'VIDEO_10S_VIEW',
  'VIDEO_START',
] as const;

export const TopVideoPinsQuery = Type.Object({
  ...common,
  ...userFilters,
  sort_by: lit(VIDEO_SORT_BY),
  metric_types: Type.Optional(List(`Comma-separated, default all: ${VIDEO_SORT_BY.join(', ')}.`)),
  num_of_pins: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 10 })),
  created_in_last_n_days: Type.Optional(Type.Literal(30)),
});

export const TopVideoPinsResponse = Type.Object({
  date_availability: DateAvailability,
  pins: Type.Array(
    Type.Object({
      pin_id: Type.String(),
      metrics: MetricMap,
      data_status: Type.Record(Type.String(), DataStatus),
    }),
  ),
  sort_by: lit(VIDEO_SORT_BY),
});
