import { Type } from 'typebox';
import { ID_PATTERN } from '../../http/id.js';
import { COUNTRIES } from './countries.js';
import { CURRENCIES } from './money.js';

/** A string enum from a list of values. */
export const literals = <V extends string[]>(values: readonly [...V], options: object = {}) =>
  Type.Enum(values, { type: 'string', ...options });

export const AdAccountIdParams = Type.Object({
  ad_account_id: Type.String({ pattern: ID_PATTERN, maxLength: 18, description: 'Ad account ID.' }),
});

export const Country = literals([...COUNTRIES]);
export const Currency = literals([...CURRENCIES]);

/** An amount of money in micro-currency (1 unit = 1,000,000): an integer, never a float. */
export const Micro = (description: string) =>
  Type.Integer({ minimum: 0, maximum: 1e15, description: `${description} In micro-currency.` });

/** Unix time in seconds. */
export const UnixSeconds = (description: string) =>
  Type.Integer({ minimum: 0, maximum: 253402300799, description: `${description} Unix seconds.` });

/** The spec's per-item outcome of a bulk create or update: `data` for a success, `exceptions` for a failure. */
export const BulkItems = <T extends import('typebox').TSchema>(data: T) =>
  Type.Object({
    items: Type.Array(
      Type.Object({
        data: Type.Optional(data),
        exceptions: Type.Array(Type.Object({ code: Type.Integer(), message: Type.String() })),
      }),
    ),
  });

/** The same for ads, whose spec gives a failed item one `exceptions` object instead of a list. */
export const BulkItemsOneException = <T extends import('typebox').TSchema>(data: T) =>
  Type.Object({
    items: Type.Array(
      Type.Object({
        data: Type.Optional(data),
        exceptions: Type.Optional(Type.Object({ code: Type.Integer(), message: Type.String() })),
      }),
    ),
  });

/** The tracking URLs an entity carries (checked per item: at most three http(s) URLs of each kind). */
export const TRACKING_KINDS = [
  'impression',
  'click',
  'engagement',
  'buyable_button',
  'audience_verification',
] as const;
export const TrackingUrls = Type.Object(
  Object.fromEntries(
    TRACKING_KINDS.map((k) => [
      k,
      Type.Optional(Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 10 })),
    ]),
  ),
);

/** A nullable field of a body or a response. */
export const Nullable = <T extends import('typebox').TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
