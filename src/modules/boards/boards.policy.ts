import type { Privacy } from '../../platform/db/schema.js';
import { Forbidden, NotFound } from '../../platform/errors.js';
import type { Principal } from '../../platform/principal.js';
import { isSecret, mayRead, secretScope } from './visibility.js';

export interface BoardAccess {
  owner_id: string;
  privacy: Privacy;
}

export type BoardAction = 'read' | 'write';

/**
 * Who may do what with a board (visibility.ts has the read rule). Public and protected boards are
 * readable by anyone; a secret board exists only for its owner, and even the owner's token needs the
 * `*_secret` scope. Only the owner writes. A viewer who may not know a board exists gets NotFound, never
 * Forbidden.
 */
export function authorizeBoard(viewer: Principal, board: BoardAccess | undefined, action: BoardAction): void {
  if (!board) throw notFound();
  const own = board.owner_id === viewer.userId;
  if (isSecret(board.privacy)) {
    if (!own) throw notFound();
    const scope = secretScope('boards', action);
    if (!viewer.scopes.has(scope))
      throw new Forbidden(`Not authorized: this board is secret and needs the scope ${scope}.`);
  }
  if (action === 'write' && !own) throw new Forbidden('Not authorized to access board or Pin.', 7);
}

/** Whether the viewer may see the board at all (for filtering lists): visibility's mayRead. */
export function canSeeBoard(viewer: Principal, board: BoardAccess): boolean {
  return mayRead(viewer, board.owner_id, board.privacy, 'boards');
}

export function notFound(): NotFound {
  return new NotFound('Board not found.', 40);
}
