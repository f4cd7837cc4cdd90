import { isIdText } from '../../platform/ids.js';
import { APP_TYPES, type AppType, CLIENT_KINDS, type ItemKind, SERVER_KINDS } from './events.schemas.js';
import { type ImpressionClaims, SURFACES, type Surface } from './impression-tokens.js';

/** Why one event of a batch was refused; `code` is machine-readable, `reason` says it in words. */
export interface Rejection {
  index: number;
  event_id: string | null;
  code: string;
  reason: string;
}

/** A client event about an item whose fields are well-formed (its token is checked next). */
export interface ClientEventInput {
  index: number;
  eventId: string;
  kind: ItemKind;
  occurredAt: number;
  token: string;
  pinId: string;
  surface: Surface | undefined;
  position: number | undefined;
  appType: AppType;
  deviceId: string | undefined;
}

/** A well-formed SESSION_START: no item, so no token or pin. */
export interface SessionStartInput {
  index: number;
  eventId: string;
  kind: 'SESSION_START';
  occurredAt: number;
  appType: AppType;
  deviceId: string | undefined;
}

export interface TimeWindow {
  /** Epoch ms the batch arrived. */
  now: number;
  maxSkewMs: number;
  latenessMs: number;
}

const CLIENT_ID = /^[A-Za-z0-9._~-]{1,64}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|z|[+-]\d{2}:\d{2})$/;
const MAX_TOKEN = 512;
const clientKinds = new Set<string>(CLIENT_KINDS);
const serverKinds = new Set<string>(SERVER_KINDS);
const surfaces = new Set<string>(SURFACES);
const appTypes = new Set<string>(APP_TYPES);

function rejection(index: number, eventId: string, code: string, reason: string): Rejection {
  return { index, event_id: eventId, code, reason };
}

function invalidField(index: number, eventId: string, name: string, rule: string): Rejection {
  return { index, event_id: eventId, code: 'invalid_field', reason: `${name} ${rule}.` };
}

/**
 * Checks one event of a batch on its own: a well-formed client event, or the rejection saying what is
 * wrong with it. Unknown fields are ignored, and so are `impression_token`, `pin_id`, `surface` and
 * `position` of a SESSION_START (it concerns no item).
 */
export function parseEvent(
  raw: unknown,
  index: number,
  window: TimeWindow,
): ClientEventInput | SessionStartInput | Rejection {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { index, event_id: null, code: 'invalid_event', reason: 'An event must be a JSON object.' };
  const e = raw as Record<string, unknown>;
  const id = e.event_id;
  if (typeof id !== 'string' || !CLIENT_ID.test(id)) {
    return {
      index,
      event_id: typeof id === 'string' ? id.slice(0, 64) : null,
      code: 'invalid_event_id',
      reason: 'event_id must be 1 to 64 characters of A-Z a-z 0-9 . _ ~ -.',
    };
  }
  // No closures here: this runs for every event of every batch.

  const kind = e.kind;
  if (typeof kind !== 'string') return invalidField(index, id, 'kind', 'is required');
  if (serverKinds.has(kind))
    return rejection(
      index,
      id,
      'server_side_kind',
      `${kind} events are recorded by the API itself when the action happens; clients do not send them.`,
    );
  if (!clientKinds.has(kind))
    return rejection(
      index,
      id,
      'unknown_kind',
      `Unknown kind "${kind.slice(0, 40)}"; send one of ${CLIENT_KINDS.join(', ')}.`,
    );

  const time = e.time;
  const at = typeof time === 'string' && ISO_TIME.test(time) ? Date.parse(time) : Number.NaN;
  if (!Number.isFinite(at))
    return invalidField(index, id, 'time', 'must be an ISO 8601 date-time with a time zone');
  if (at > window.now + window.maxSkewMs)
    return rejection(
      index,
      id,
      'time_in_future',
      `time is more than ${Math.round(window.maxSkewMs / 1000)} s ahead of the server's clock.`,
    );
  if (at < window.now - window.latenessMs)
    return rejection(
      index,
      id,
      'time_too_old',
      `time is more than ${Math.round(window.latenessMs / 3_600_000)} hours ago; late events are not taken.`,
    );

  const appType = e.app_type;
  if (typeof appType !== 'string' || !appTypes.has(appType))
    return invalidField(index, id, 'app_type', `must be one of ${APP_TYPES.join(', ')}`);
  const deviceId = e.device_id;
  if (deviceId !== undefined && (typeof deviceId !== 'string' || !CLIENT_ID.test(deviceId)))
    return invalidField(index, id, 'device_id', 'must be 1 to 64 characters of A-Z a-z 0-9 . _ ~ -');
  if (kind === 'SESSION_START')
    return {
      index,
      eventId: id,
      kind,
      occurredAt: at,
      appType: appType as AppType,
      deviceId: deviceId as string | undefined,
    };

  const pinId = e.pin_id;
  if (!isIdText(pinId)) return invalidField(index, id, 'pin_id', 'must be a decimal pin id');
  const surface = e.surface;
  if (surface !== undefined && (typeof surface !== 'string' || !surfaces.has(surface)))
    return invalidField(index, id, 'surface', `must be one of ${SURFACES.join(', ')}`);
  const position = e.position;
  if (position !== undefined && (!Number.isInteger(position) || (position as number) < 0))
    return invalidField(index, id, 'position', 'must be a non-negative integer');
  const token = e.impression_token;
  if (token === undefined || token === null || token === '')
    return rejection(
      index,
      id,
      'token_missing',
      `${kind} events need the impression_token served with the item.`,
    );
  if (typeof token !== 'string' || token.length > MAX_TOKEN)
    return rejection(index, id, 'token_malformed', 'impression_token is not a token this server issued.');

  return {
    index,
    eventId: id,
    kind: kind as ItemKind,
    occurredAt: at,
    token,
    pinId,
    surface: surface as Surface | undefined,
    position: position as number | undefined,
    appType: appType as AppType,
    deviceId: deviceId as string | undefined,
  };
}

/** Who reports: the user of the access token, or (app-only tokens) its app, with a device id. */
export interface Caller {
  userId: string;
  appId: string;
}

/** Why a genuine token does not fit the event, counted under `reason` (see EventsService). */
export type TokenMisuse = 'wrong_viewer' | 'mismatch';

function misfit(ev: ClientEventInput, code: string, reason: string, misuse: TokenMisuse) {
  return { rejection: { index: ev.index, event_id: ev.eventId, code, reason }, misuse };
}

/**
 * Checks that a genuine token fits its event: served to this caller, for this pin (and surface and
 * position when the event names them), and not before the event happened. Returns the stored actor id
 * prefix (`u<user id>` or `d<device id>`), or the rejection and the counter label.
 */
export function fitToken(
  ev: ClientEventInput,
  claims: ImpressionClaims,
  caller: Caller,
  maxSkewMs: number,
): { actor: string } | { rejection: Rejection; misuse?: TokenMisuse } {
  const viewer = claims.viewer;
  const mine = viewer.kind === 'user' ? viewer.id === caller.userId : viewer.id === caller.appId;
  if (!mine)
    return misfit(ev, 'token_not_yours', 'The impression token was served to someone else.', 'wrong_viewer');
  if (claims.pinId !== ev.pinId)
    return misfit(ev, 'token_mismatch', 'The impression token was served with another pin.', 'mismatch');
  if (ev.surface !== undefined && ev.surface !== claims.surface)
    return misfit(
      ev,
      'token_mismatch',
      `The item was served on ${claims.surface}, not ${ev.surface}.`,
      'mismatch',
    );
  if (ev.position !== undefined && ev.position !== claims.position)
    return misfit(
      ev,
      'token_mismatch',
      `The item was served at position ${claims.position}, not ${ev.position}.`,
      'mismatch',
    );
  // Seconds in the token; the skew allows for the client's clock.
  if (ev.occurredAt < claims.issuedAt - 1000 - maxSkewMs)
    return misfit(ev, 'token_mismatch', 'The event happened before the item was served.', 'mismatch');
  return actorOf(ev, caller.userId, viewer.kind === 'app');
}

/**
 * Who an event belongs to: the user (`u<id>`), or with an app-only token the device the event names
 * (`d<device id>`); an app-only event without a device id is refused.
 */
export function actorOf(
  ev: { index: number; eventId: string; deviceId: string | undefined },
  userId: string,
  appOnly: boolean,
): { actor: string } | { rejection: Rejection } {
  if (!appOnly) return { actor: `u${userId}` };
  if (ev.deviceId === undefined)
    return {
      rejection: {
        index: ev.index,
        event_id: ev.eventId,
        code: 'device_id_required',
        reason: 'With an app-only access token, each event needs the device_id of the device it happened on.',
      },
    };
  return { actor: `d${ev.deviceId}` };
}
