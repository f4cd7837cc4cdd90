import type { AppModule, ModuleDeps } from '../module.js';
import { eventsRoutes } from './events.routes.js';
import type { EventsService } from './events.service.js';

export {
  APP_TYPES,
  type AppType,
  CLIENT_KINDS,
  MAX_BATCH,
  SERVER_KINDS,
  type ServerKind,
} from './events.schemas.js';
export {
  type BatchResult,
  EVENTS_BATCH_TOPIC,
  type EventsBatchPayload,
  EventsService,
  type ExposureEvent,
  parseEventsBatch,
  type ServerEvent,
  type TimingEvent,
  unitId,
} from './events.service.js';
export {
  type AdClaim,
  type ImpressionClaims,
  ImpressionTokens,
  type IssueInput,
  type PromotedIssueInput,
  type PromotedPageInput,
  SURFACES,
  type Surface,
  type Viewer,
  viewerOf,
} from './impression-tokens.js';

/** How often a process that runs jobs makes and drops partitions and prunes token uses. */
const MAINTENANCE_MS = 3_600_000;

/** The event stream: POST /v5/events, and the upkeep of its daily partitions. */
export function eventsModule(events: EventsService): AppModule {
  return {
    name: 'events',
    routes(app, deps: ModuleDeps) {
      // A full batch with long ids and tokens is about 400 kB; allow twice that whatever BODY_LIMIT_BYTES says.
      eventsRoutes(app, events, Math.max(deps.config.bodyLimitBytes, 1024 * 1024));
    },
    periodic: () => [{ name: 'events.maintenance', everyMs: MAINTENANCE_MS, run: () => events.maintain() }],
  };
}
