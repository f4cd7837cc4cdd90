import type { Pin } from './types.js';

// Pins the app has shown lately, so a close-up opened from a grid draws at once from what it already
// has (and at its final size) while the API is asked for the latest.
const pins = new Map<string, Pin>();
const KEPT = 2000;

export function rememberPin(pin: Pin): void {
  pins.delete(pin.id);
  pins.set(pin.id, pin);
  if (pins.size > KEPT) pins.delete(pins.keys().next().value!);
}

export function cachedPin(id: string): Pin | undefined {
  return pins.get(id);
}
