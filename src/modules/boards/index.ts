import type { AppModule } from '../module.js';
import { boardsRoutes } from './boards.routes.js';
import type { BoardsService } from './boards.service.js';

export { authorizeBoard, canSeeBoard } from './boards.policy.js';
export { Board, BoardPage } from './boards.schemas.js';
export {
  type BoardMedia,
  type BoardPins,
  BoardsService,
  type BoardView,
  boardView,
  type CachedBoardAccess,
} from './boards.service.js';
export {
  DISCOVERY_EPOCH_KEY,
  discoverable,
  discoverableBoard,
  isDiscoverable,
  isSecret,
  listedBoard,
  mayRead,
  openBoard,
  ownedBy,
  ownListPrivacies,
  privacyIn,
  readsSecret,
  secretScope,
  type VisibilityKind,
  visibleBoards,
} from './visibility.js';

/** Boards and board sections: /v5/boards... */
export function boardsModule(boards: BoardsService): AppModule {
  return { name: 'boards', routes: (app) => boardsRoutes(app, boards) };
}
