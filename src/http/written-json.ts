import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyReply } from 'fastify';
import type { HttpServer } from './types.js';

const WRITTEN = Symbol('written JSON');

/**
 * Sends JSON a service wrote as bytes for speed (a pin, a page of pins: see PinPresenter): the one place a
 * route steps past its response serializer. Node writes the Buffer as it is. The route's response schema
 * still documents the answer, and with CHECK_WRITTEN_JSON (on in tests) installWrittenJson checks the
 * bytes against it. Returns nothing: the handler has answered.
 */
export function sendWritten(reply: unknown, json: Buffer): void {
  const r = reply as FastifyReply & { [WRITTEN]?: true };
  r[WRITTEN] = true;
  r.type('application/json; charset=utf-8').send(json);
}

/** With `check`, answers sent by sendWritten are parsed and validated against their route's schema. */
export function installWrittenJson(app: HttpServer, check: boolean): void {
  if (!check) return;
  const ajv = new Ajv({ strict: false, allErrors: false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  const compiled = new WeakMap<object, ValidateFunction>();
  app.addHook('onSend', (request, reply, payload, done) => {
    if (!(reply as { [WRITTEN]?: true })[WRITTEN]) return done(null, payload);
    const responses = (request.routeOptions.schema as { response?: Record<string, unknown> } | undefined)
      ?.response;
    const schema = responses?.[String(reply.statusCode)] ?? responses?.['2xx'];
    if (!schema || typeof schema !== 'object') {
      return done(new Error(`${request.routeOptions.url}: written JSON without a response schema`));
    }
    let validate = compiled.get(schema);
    if (!validate) {
      validate = ajv.compile(schema);
      compiled.set(schema, validate);
    }
    const body = JSON.parse(String(payload));
    if (!validate(body)) {
      const [first] = validate.errors ?? [];
      return done(
        new Error(
          `${request.routeOptions.url}: written JSON does not match its schema at ${first?.instancePath || '/'}: ${first?.message}`,
        ),
      );
    }
    done(null, payload);
  });
}
