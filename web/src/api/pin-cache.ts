import { Recent } from '../lib/recent.js';
import type { Pin } from './types.js';

// Pins the app has shown lately, so a close-up opened from a grid draws at once from what it already
// has (and at its final size) while the API is asked for the latest.
const pins = new Recent<Pin>(2000);

export function rememberPin(pin: Pin): void {
  pins.set(pin.id, pin);
}

export function cachedPin(id: string): Pin | undefined {
  return pins.get(id);
}
