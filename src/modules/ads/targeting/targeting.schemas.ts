import { Type } from 'typebox';
import { literals } from '../ads.schemas.js';
import { TARGETING_TYPES } from './targeting.catalogue.js';

const Digits = (description: string) => Type.String({ pattern: '^\\d+$', maxLength: 18, description });

export const TargetingTypeParams = Type.Object({
  targeting_type: literals([...TARGETING_TYPES], { description: 'Public targeting type.' }),
});

export const TargetingOptionsQuery = Type.Object({
  client_id: Type.Optional(Digits('Client ID (accepted and ignored).')),
  oauth_signature: Type.Optional(Type.String({ maxLength: 200, description: 'Ignored.' })),
  timestamp: Type.Optional(Type.String({ pattern: '^\\d+$', maxLength: 20, description: 'Ignored.' })),
  ad_account_id: Type.Optional(Digits('Unique identifier of an ad account (accepted and ignored).')),
});

/** The spec's TargetingOptionResponse: one `{value: label}` object per targeting value. */
export const TargetingOptions = Type.Array(Type.Record(Type.String(), Type.String()));

export const InterestIdParams = Type.Object({
  interest_id: Digits('Unique identifier of an interest.'),
});

export const SingleInterest = Type.Object({
  id: Type.String({ pattern: '^\\d+$' }),
  name: Type.String(),
  level: Type.Integer(),
  child_interests: Type.Array(Type.String()),
});

export const AdAccountCountries = Type.Object({
  items: Type.Array(
    Type.Object({
      code: Type.String({ description: 'Country ID from ISO 3166-1 alpha-2.' }),
      currency: Type.String({ description: 'ISO 4217 code of the currency ad accounts there bill in.' }),
      index: Type.Integer({ description: 'Position in the list, from 1.' }),
      name: Type.String({ description: 'Country name.' }),
    }),
  ),
});

export const DeliveryMetricsQuery = Type.Object({
  report_type: Type.Optional(literals(['SYNC', 'ASYNC'], { description: 'Report type.' })),
});

export const DeliveryMetrics = Type.Object({
  items: Type.Array(
    Type.Object({
      name: Type.String(),
      display_name: Type.String(),
      definition: Type.String(),
      category: literals(['ADS', 'ORGANIC']),
    }),
  ),
});

export const MetricsReadyQuery = Type.Object({
  date: Type.String({
    pattern: '^(\\d{4})-(\\d{2})-(\\d{2})$',
    description: 'Analytics reports request date (UTC). Format: YYYY-MM-DD',
  }),
});

export const MetricsReadyState = Type.Object({
  conversion_metrics_ready: Type.Boolean(),
  non_conversion_metrics_ready: Type.Boolean(),
});

const StringList = (description: string) =>
  Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()], { description }));

/**
 * A TargetingSpec in a request body. Deliberately loose (and open to unknown keys, which the body
 * validator would otherwise strip silently): validateTargetingSpec checks the values and names what is wrong.
 */
export const TargetingSpecBody = Type.Object(
  {
    AGE_BUCKET: StringList('Age ranges (legacy; not with MINIMUM_AGE/MAXIMUM_AGE).'),
    APPTYPE: StringList('Devices.'),
    AUDIENCE_EXCLUDE: StringList('Excluded audience IDs.'),
    AUDIENCE_INCLUDE: StringList('Targeted audience IDs.'),
    GENDER: StringList('Genders.'),
    GEO: StringList('Region codes (country codes, US states and Canadian provinces).'),
    INTEREST: Type.Optional(Type.Array(Type.String(), { description: 'Interest IDs.' })),
    LOCALE: StringList('Languages and locales.'),
    LOCATION: StringList('Country codes.'),
    MAXIMUM_AGE: Type.Optional(Type.String({ description: '"18" to "65", or "65+".' })),
    MINIMUM_AGE: Type.Optional(Type.String({ description: '"18" to "65".' })),
    SHOPPING_RETARGETING: Type.Optional(
      Type.Union([Type.Array(Type.Object({}, { additionalProperties: true })), Type.Null()]),
    ),
    TARGETING_STRATEGY: StringList('Targeting strategies.'),
  },
  { additionalProperties: true, description: 'Ad group targeting specification.' },
);
