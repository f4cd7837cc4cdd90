import type { Privacy } from '../../platform/db/schema.js';
import { Forbidden, NotFound } from '../../platform/errors.js';
import type { Principal } from '../../platform/principal.js';
import { isDiscoverable } from '../boards/index.js';

/**
 * Who may see a pin: anyone, unless its board is secret; then only the board's owner, with the secret
 * scopes. Only the owner changes it. Whoever may not know it exists gets NotFound.
 */
export function authorizePin<P extends { owner_id: string; board_privacy: Privacy }>(
  viewer: Principal,
  pin: P | undefined,
  action: 'read' | 'write',
): P {
  if (!pin) throw pinNotFound();
  const own = pin.owner_id === viewer.userId;
  if (pin.board_privacy === 'SECRET') {
    if (!own) throw pinNotFound();
    const scope = action === 'read' ? 'pins:read_secret' : 'pins:write_secret';
    if (!viewer.scopes.has(scope))
      throw new Forbidden(`Not authorized: this Pin is on a secret board and needs the scope ${scope}.`);
  }
  if (action === 'write' && !own) throw new Forbidden('Not authorized to access board or Pin.', 7);
  return pin;
}

/**
 * Whether a list shows a pin to the viewer: authorizePin's read rule as a test (a pin the viewer may not
 * read is left out, not refused), and on discovery surfaces (`discovery`: search, related pins, the home
 * feed) only pins on discoverable boards, for their owner too.
 */
export function listsPin(viewer: Principal, ownerId: string, privacy: Privacy, discovery: boolean): boolean {
  if (discovery) return isDiscoverable(privacy);
  return privacy !== 'SECRET' || (ownerId === viewer.userId && viewer.scopes.has('pins:read_secret'));
}

/** A secret board's pin may be added, moved or changed only with pins:write_secret. */
export function authorizeSecretPlacement(viewer: Principal, privacy: Privacy): void {
  if (privacy === 'SECRET' && !viewer.scopes.has('pins:write_secret')) {
    throw new Forbidden('Not authorized: adding Pins to a secret board needs the scope pins:write_secret.');
  }
}

export function pinNotFound(): NotFound {
  return new NotFound('Pin not found.', 50);
}
