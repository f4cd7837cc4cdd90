import type { Privacy } from '../../platform/db/schema.js';
import { Forbidden, NotFound } from '../../platform/errors.js';
import type { Principal } from '../../platform/principal.js';
import { isDiscoverable, isSecret, mayRead, secretScope } from '../boards/index.js';

/**
 * Who may see a pin: the boards' visibility rule for its board (anyone, unless the board is secret; then
 * only the board's owner, with the secret scopes). Only the owner changes it. Whoever may not know it
 * exists gets NotFound.
 */
export function authorizePin<P extends { owner_id: string; board_privacy: Privacy }>(
  viewer: Principal,
  pin: P | undefined,
  action: 'read' | 'write',
): P {
  if (!pin) throw pinNotFound();
  const own = pin.owner_id === viewer.userId;
  if (isSecret(pin.board_privacy)) {
    if (!own) throw pinNotFound();
    const scope = secretScope('pins', action);
    if (!viewer.scopes.has(scope))
      throw new Forbidden(`Not authorized: this Pin is on a secret board and needs the scope ${scope}.`);
  }
  if (action === 'write' && !own) throw new Forbidden('Not authorized to access board or Pin.', 7);
  return pin;
}

/**
 * Whether a list shows a pin to the viewer: the read rule as a test (a pin the viewer may not read is left
 * out, not refused), and on discovery surfaces (`discovery`: search, related pins, the home feed) only
 * pins on discoverable boards, for their owner too.
 */
export function listsPin(viewer: Principal, ownerId: string, privacy: Privacy, discovery: boolean): boolean {
  return discovery ? isDiscoverable(privacy) : mayRead(viewer, ownerId, privacy, 'pins');
}

/** A pin may be put on a secret board only with pins:write_secret. */
export function authorizeSecretPlacement(viewer: Principal, privacy: Privacy): void {
  const scope = secretScope('pins', 'write');
  if (isSecret(privacy) && !viewer.scopes.has(scope)) {
    throw new Forbidden(`Not authorized: adding Pins to a secret board needs the scope ${scope}.`);
  }
}

export function pinNotFound(): NotFound {
  return new NotFound('Pin not found.', 50);
}
