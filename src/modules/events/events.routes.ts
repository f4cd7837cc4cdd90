import { principalOf } from '../../http/auth.js';
import type { HttpServer } from '../../http/server.js';
import {
  BatchResult,
  CLIENT_KINDS,
  EventBatch,
  ITEM_KINDS,
  MAX_BATCH,
  SERVER_KINDS,
} from './events.schemas.js';
import type { EventsService } from './events.service.js';

const EXTENSION = 'Extension: not in Pinterest API v5.';

/**
 * Any valid access token may report events, user or app-only: no scope, since impressions and clicks are
 * the caller's own activity on items it was served, and the impression tokens already bind each event
 * to the viewer. Rate limit `events_write`: a category of its own, so a chatty client's reporting never
 * eats into its budget for real writes.
 */
const INGEST = { scopes: [] as string[], rateLimit: 'events_write' };

export function eventsRoutes(app: HttpServer, events: EventsService, bodyLimit: number): void {
  app.post(
    '/v5/events',
    {
      config: INGEST,
      bodyLimit,
      schema: {
        tags: ['events'],
        summary: 'Report events (extension)',
        description: `${EXTENSION} Reports what happened to items the server served, and session starts: a batch \`{events: [...]}\` of up to ${MAX_BATCH} events, each \`{event_id, kind, time, impression_token, pin_id, surface?, position?, app_type, device_id?}\` (kinds ${CLIENT_KINDS.join(', ')}). Each item event (${ITEM_KINDS.join(', ')}) carries the \`impression_token\` served with its item; the token must have been served to this caller (the user; with an app-only token, the app, and \`device_id\` names the device), for this pin, and each token counts once per kind. SESSION_START (an extension kind: the client's session began, by the client's own rule) concerns no item: it takes no \`impression_token\` or \`pin_id\` (ignored if sent) and belongs to the caller (the user; with an app-only token, \`device_id\` is required and names the device); it is idempotent by event_id like every event, so send one id per session. Each event is checked on its own: a bad one is listed in \`rejected\` with its index, event_id, a code and a reason, and the rest of the batch is stored. Codes: invalid_event, invalid_event_id, invalid_field, unknown_kind, server_side_kind (${SERVER_KINDS.join(', ')} are recorded by the API itself), time_in_future (beyond EVENTS_MAX_SKEW_SECONDS, default 5 min), time_too_old (before EVENTS_LATENESS_HOURS, default 48 h), token_missing (an item event without its token), token_malformed, token_forged, token_expired (tokens live IMPRESSION_TOKEN_TTL_MINUTES, default 24 h), token_not_yours, token_mismatch, token_replayed, device_id_required, unknown_pin. Idempotent by event_id per user or device: a retried batch stores nothing twice and counts its events under \`duplicates\`. Accepted events are committed before the answer. Any access token; no scope needed. More than ${MAX_BATCH} events, or a body that is not \`{events: [...]}\`: 400, nothing stored.`,
        body: EventBatch,
        response: { 200: BatchResult },
      },
    },
    async (request) => events.ingest(principalOf(request), request.body.events),
  );
}
