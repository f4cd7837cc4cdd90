import type { AccountsService } from './accounts/index.js';
import type { BoardsService } from './boards/index.js';
import type { OAuthService } from './oauth/index.js';
import type { PinsService } from './pins/index.js';

/** The core services other modules build on, each reached through its module's index.ts. */
export interface ProductServices {
  readonly accounts: AccountsService;
  readonly oauth: OAuthService;
  readonly boards: BoardsService;
  readonly pins: PinsService;
}
