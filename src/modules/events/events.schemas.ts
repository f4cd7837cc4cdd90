import { Type } from 'typebox';
import { ID_PATTERN } from '../../http/id.js';
import { SURFACES } from './impression-tokens.js';

/** Largest batch `POST /v5/events` takes. */
export const MAX_BATCH = 1000;

/** Kinds a client reports about an item, each with the impression token the item was served with. */
export const ITEM_KINDS = ['IMPRESSION', 'PIN_CLICK', 'OUTBOUND_CLICK'] as const;
/**
 * Kinds a client reports. SESSION_START (an extension kind: the app came to the foreground or a page was
 * opened after a pause, as the client decides) concerns no item: it has no impression token or pin, and
 * belongs to the caller (the user; with an app-only token, the `device_id` it names).
 */
export const CLIENT_KINDS = [...ITEM_KINDS, 'SESSION_START'] as const;
/**
 * Kinds the API records itself when the action happens (a client sending one is refused). EXPOSURE: code
 * read an experiment's parameter for a unit (experiments/exposure), at most once per unit, run and day.
 * FEED_TIMING: a unit's home feed requests while it is in an experiment, and their server time summed
 * (experiments/exposure/timing-buffer.ts).
 */
export const SERVER_KINDS = ['SAVE', 'SEARCH', 'FOLLOW', 'UNFOLLOW', 'EXPOSURE', 'FEED_TIMING'] as const;
export type ItemKind = (typeof ITEM_KINDS)[number];
export type ClientKind = (typeof CLIENT_KINDS)[number];
export type ServerKind = (typeof SERVER_KINDS)[number];
export type EventKind = ClientKind | ServerKind;

/** The spec's `app_types` values. */
export const APP_TYPES = ['MOBILE', 'TABLET', 'WEB', 'OTHER'] as const;
export type AppType = (typeof APP_TYPES)[number];

const literals = <T extends string>(values: readonly T[]) => values.map((v) => Type.Literal(v));

/**
 * One event as a client sends it, for clients and documentation. The route does not validate events
 * against this schema (a bad event must not fail its batch); `parseEvent` applies the same rules one
 * event at a time.
 */
export const ClientEvent = Type.Object({
  event_id: Type.String({
    pattern: '^[A-Za-z0-9._~-]{1,64}$',
    description:
      "The client's id of the event (e.g. a UUID), unique per user or device; a retry sends the same.",
  }),
  kind: Type.Union(literals(CLIENT_KINDS)),
  time: Type.String({
    format: 'date-time',
    description: 'When it happened, ISO 8601 with a time zone.',
  }),
  impression_token: Type.Optional(
    Type.String({
      description:
        'The `impression_token` served with the item: required for item kinds, not read for SESSION_START.',
    }),
  ),
  pin_id: Type.Optional(
    Type.String({
      pattern: ID_PATTERN,
      description: 'Decimal ID of the item: required for item kinds, not read for SESSION_START.',
    }),
  ),
  surface: Type.Optional(
    Type.Union(literals(SURFACES), { description: 'Where it was shown; must match the token when given.' }),
  ),
  position: Type.Optional(
    Type.Integer({ minimum: 0, description: 'Position in the response; must match the token when given.' }),
  ),
  app_type: Type.Union(literals(APP_TYPES)),
  device_id: Type.Optional(
    Type.String({
      pattern: '^[A-Za-z0-9._~-]{1,64}$',
      description: 'Anonymous device id: required with an app-only token (the device is the actor).',
    }),
  ),
});

export const EventBatch = Type.Object({
  events: Type.Array(Type.Unknown(), {
    maxItems: MAX_BATCH,
    description: `Up to ${MAX_BATCH} events, each shaped as ClientEvent; each is checked on its own.`,
  }),
});

export const Rejection = Type.Object({
  index: Type.Integer({ description: 'Position of the event in the batch.' }),
  event_id: Type.Union([Type.String(), Type.Null()]),
  code: Type.String({ description: 'Machine-readable reason, e.g. token_replayed, unknown_kind.' }),
  reason: Type.String(),
});

export const BatchResult = Type.Object({
  accepted: Type.Integer({ description: 'Events stored by this call.' }),
  duplicates: Type.Integer({ description: 'Events stored by an earlier call (a retry): not counted again.' }),
  rejected: Type.Array(Rejection),
  batch_id: Type.Union([Type.String(), Type.Null()], {
    description: 'Id of the stored batch; null when nothing new was stored.',
  }),
});
