import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * One full garbage collection, run once a process has built its app and before it takes traffic.
 *
 * Why: compiling the routes' schemas (Ajv validators, fast-json-stringify serializers) builds thousands
 * of short-lived objects whose first property is a generated name (`_errs12`, `__fjs_root_34`, ...).
 * V8 records each such name as a transition of the empty object's map, and that list is bounded (about
 * 1,500). Once it is full, every object made by adding properties to `{}` or by a spread (`{...a, b}`),
 * Node's request headers among them, gets a map of its own. The property accesses that see those
 * objects go megamorphic for good, and their misses crowd V8's shared lookup cache, so every request
 * pays for them. V8 frees the dead names only in a full collection, which an idle server may not run
 * for seconds; the code that grows hot meanwhile keeps what it learned then. Measured on the home feed
 * with ads on, that was up to a third of a request's CPU (bench/README.md, eleventh session).
 */
export function collectStartupGarbage(): void {
  const exposed = (globalThis as { gc?: () => void }).gc;
  if (exposed) {
    exposed();
    return;
  }
  // Node gives no collection call without --expose-gc; a fresh context made after setting the flag has
  // one, and it collects the whole heap. The flag is set back, so nothing else gets `gc`.
  setFlagsFromString('--expose-gc');
  try {
    (runInNewContext('gc') as () => void)();
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}
