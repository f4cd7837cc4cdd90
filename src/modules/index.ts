import type { Authenticator } from '../http/auth.js';
import { AccountsService, accountsModule } from './accounts/index.js';
import { BoardsService, boardsModule } from './boards/index.js';
import type { AppModule, ModuleDeps } from './module.js';
import { OAuthService, oauthModule } from './oauth/index.js';

/** The product's services, shared by its modules, the CLI and the HTTP auth plumbing. */
export interface Product {
  readonly accounts: AccountsService;
  readonly oauth: OAuthService;
  readonly boards: BoardsService;
  /** Every product module, in registration order. */
  readonly modules: readonly AppModule[];
  readonly authenticate: Authenticator;
}

/** Builds the product's services and modules from the platform dependencies. */
export function buildProduct(deps: ModuleDeps): Product {
  const accounts = new AccountsService(deps.db, deps.ids);
  const oauth = new OAuthService(deps.db, deps.ids, deps.cache);
  const boards = new BoardsService(deps.db, deps.ids, deps.bookmarks);
  return {
    accounts,
    oauth,
    boards,
    modules: [accountsModule(accounts), oauthModule(oauth, accounts), boardsModule(boards)],
    authenticate: (token) => oauth.authenticate(token),
  };
}
