import { setFlagsFromString } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { collectStartupGarbage } from '../../src/platform/startup-garbage.js';

// V8's own answer to "do these two objects share a map?" (natives syntax, allowed for what is compiled
// from here on).
setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

/** Whether two objects built alike from `{}` with a property name never used before share a map. */
let probes = 0;
function sharedShape(): boolean {
  const name = `startupGarbageProbe${probes++}`;
  const a: Record<string, number> = {};
  a[name] = 1;
  const b: Record<string, number> = {};
  b[name] = 1;
  return haveSameMap(a, b);
}

describe('collectStartupGarbage', () => {
  it('frees the empty object map transitions that dead start-up objects filled', () => {
    // Whatever this worker ran before is collected first.
    collectStartupGarbage();
    expect(sharedShape()).toBe(true);
    // What compiling schemas leaves behind: many short-lived objects, each first given its own name.
    for (let i = 0; i < 2_000; i++) {
      const scratch: Record<string, number> = {};
      scratch[`_errs${i}`] = i;
    }
    // The list is full: objects built alike no longer share a map.
    expect(sharedShape()).toBe(false);
    collectStartupGarbage();
    expect(sharedShape()).toBe(true);
  });

  it('leaves no `gc` behind and can run again', () => {
    collectStartupGarbage();
    collectStartupGarbage();
    expect((globalThis as { gc?: unknown }).gc).toBeUndefined();
    expect(sharedShape()).toBe(true);
  });
});
