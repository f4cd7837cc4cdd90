import type { AccountsService } from './accounts/index.js';
import type { BoardsService } from './boards/index.js';
import type { EventsService, ImpressionTokens } from './events/index.js';
import type { OAuthService } from './oauth/index.js';
import type { PinsService } from './pins/index.js';

/** The core services other modules build on, each reached through its module's index.ts. */
export interface ProductServices {
  readonly accounts: AccountsService;
  readonly oauth: OAuthService;
  readonly boards: BoardsService;
  readonly pins: PinsService;
  /** The event stream: `record(trx, events)` for the API's own events. */
  readonly events: EventsService;
  /** Signs the impression token each served item carries (`issue`), checked by `POST /v5/events`. */
  readonly impressionTokens: ImpressionTokens;
}
