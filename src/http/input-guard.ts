import type { FastifyReply, FastifyRequest } from 'fastify';
import { Invalid } from '../platform/errors.js';
import { idOutOfRange } from './id.js';
import type { HttpServer } from './types.js';

/**
 * Text PostgreSQL cannot store, or cannot store as sent: NUL (it refuses U+0000 in text, SQLSTATE
 * 22P05) and lone UTF-16 surrogates (not Unicode; the driver would silently store U+FFFD instead).
 */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unstorable = (text: string) => text.includes('\u0000') || LONE_SURROGATE.test(text);

/** Past this many values a body is not walked further (the body limit bounds it anyway). */
const MAX_VALUES = 100_000;

/**
 * Parsed JSON, form fields, query and params objects (the router's have a prototype-less class of their
 * own); never a Buffer or a stream a plugin put on the body.
 */
function isPlain(v: unknown): v is object {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return (
    proto === null ||
    proto === Object.prototype ||
    proto === Array.prototype ||
    Object.getPrototypeOf(proto) === null
  );
}

/** The path of the first string in `value` that PostgreSQL cannot store, e.g. "body/media_source/url". */
export function unstorableText(value: unknown, part: string): string | undefined {
  if (typeof value === 'string') return unstorable(value) ? part : undefined;
  if (!isPlain(value)) return undefined;
  // A loop over an explicit stack, not recursion: a body nested 100 000 levels deep must not overflow it.
  const stack: [unknown, string][] = [[value, part]];
  for (let seen = 0; stack.length > 0 && seen < MAX_VALUES; seen++) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (unstorable(v)) return path;
    } else if (isPlain(v)) {
      for (const [key, child] of Object.entries(v)) {
        const at = `${path}/${key}`;
        if (unstorable(key)) return at;
        stack.push([child, at]);
      }
    }
  }
  return undefined;
}

/**
 * Refuses what no field can hold, for every route at once, before schema validation: a NUL or a lone
 * surrogate in any path parameter, query parameter or body field (at any depth, names included) is a
 * 400 naming the field; an id past a bigint is a 404 in the path and a 400 elsewhere (id.ts).
 * Per-field checks would be forgotten on the next field.
 */
export function installInputGuard(app: HttpServer): void {
  app.addHook(
    'preValidation',
    (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
      const at =
        unstorableText(request.params, 'params') ??
        unstorableText(request.query, 'querystring') ??
        unstorableText(request.body, 'body');
      if (at) {
        done(
          new Invalid(`Invalid request: ${at} must not contain NUL characters or unpaired surrogates.`, 1),
        );
        return;
      }
      done(idOutOfRange(request.params, request.query, request.body));
    },
  );
}
