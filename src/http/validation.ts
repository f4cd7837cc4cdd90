import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyReply, FastifyRequest, FastifySchema, RequestPayload } from 'fastify';
import type { HttpServer } from './types.js';

const common: Options = { allErrors: false, useDefaults: true, removeAdditional: true, strict: false };

function make(options: Options): Ajv {
  const ajv = new Ajv({ ...common, ...options });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv;
}

/**
 * Query strings, path parameters and headers arrive as text, so their validator coerces ("25" -> 25);
 * JSON bodies are typed already, so theirs does not: `{"name": 12}` or `{"title": null}` for a string
 * field is an error, never silently turned into "12" or "".
 *
 * Bodies are validated against a closed copy of their schema (see `closedBody`): a field the schema does
 * not declare is removed before the handler sees it, so no route has to remember to close its schemas.
 */
export function validatorCompiler() {
  const coercing = make({ coerceTypes: 'array' });
  const strict = make({ coerceTypes: false, discriminator: true });
  return ({ schema, httpPart }: { schema: FastifySchema; httpPart?: string }) =>
    httpPart === 'body' ? strict.compile(closedBody(schema)) : coercing.compile(schema as object);
}

type Schema = Record<string, unknown>;
const isSchema = (s: unknown): s is Schema => typeof s === 'object' && s !== null && !Array.isArray(s);
const isObjectSchema = (s: unknown): s is Schema =>
  isSchema(s) && (s.type === 'object' || isSchema(s.properties));

/**
 * A copy of a body schema in which every object without `additionalProperties` or `patternProperties`
 * gets `additionalProperties: false`, so ajv's `removeAdditional` strips undeclared fields (an `id`,
 * `owner_id` or `created_at` a client posts back from an object it read) at every depth. The route's own
 * schema is left as it is: the OpenAPI document keeps saying what a field is, not that extras are refused.
 *
 * Unions of objects are where stripping can go wrong: ajv removes fields while trying the first branch,
 * including fields a later branch needs. So a union with two or more object branches must be tagged (each
 * branch has a required literal property, like `source_type`) and becomes a `oneOf` with a discriminator,
 * which validates (and strips against) only the branch the tag names. An untagged union of objects, or an
 * `allOf` of objects (each member would strip the others' fields), is refused when the route is built.
 */
export function closedBody(schema: unknown, at = 'body'): Schema {
  if (!isSchema(schema)) return schema as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(schema)) {
    switch (key) {
      case 'properties':
      case 'patternProperties':
        out[key] = isSchema(value)
          ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, closedBody(v, `${at}.${k}`)]))
          : value;
        break;
      case 'items':
      case 'additionalProperties':
        out[key] = Array.isArray(value)
          ? value.map((v) => closedBody(v, `${at}[]`))
          : closedBody(value, `${at}[]`);
        break;
      case 'prefixItems':
        out[key] = Array.isArray(value) ? value.map((v) => closedBody(v, `${at}[]`)) : value;
        break;
      default:
        out[key] = value;
    }
  }
  if (isObjectSchema(out) && !('additionalProperties' in out) && !('patternProperties' in out)) {
    out.additionalProperties = false;
  }
  if (Array.isArray(schema.allOf)) {
    if (schema.allOf.some(isObjectSchema))
      throw new Error(`${at}: an allOf of objects cannot be closed; write the body as one object`);
    out.allOf = schema.allOf.map((s) => closedBody(s, at));
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const branches = schema[key];
    if (!Array.isArray(branches)) continue;
    const closed = branches.map((s) => closedBody(s, at));
    if (closed.filter(isObjectSchema).length < 2) {
      out[key] = closed;
      continue;
    }
    const tag = closed.every(isObjectSchema) ? tagOf(closed) : undefined;
    if (!tag) {
      throw new Error(
        `${at}: a union of objects needs a required literal property in every branch to tell them apart`,
      );
    }
    delete out.anyOf;
    // ajv skips a discriminated oneOf for data that is not an object (an array, a string): the type
    // keeps such a value from passing as valid.
    out.type = 'object';
    out.oneOf = closed;
    out.discriminator = { propertyName: tag };
  }
  return out;
}

/** The property every branch requires and fixes to a literal (what ajv's discriminator needs). */
function tagOf(branches: Schema[]): string | undefined {
  const [first, ...rest] = branches;
  const candidates = Object.keys((first!.properties as Schema | undefined) ?? {});
  return candidates.find((name) =>
    [first!, ...rest].every((b) => {
      const prop = (b.properties as Schema | undefined)?.[name];
      const required = Array.isArray(b.required) && b.required.includes(name);
      return required && isSchema(prop) && ('const' in prop || Array.isArray(prop.enum));
    }),
  );
}

/** The media type of a Content-Type header, without parameters, lower-cased. */
function mediaType(header: string): string {
  return (header.split(';')[0] ?? '').trim().toLowerCase();
}

function jsonOnly(
  request: FastifyRequest,
  _reply: FastifyReply,
  payload: RequestPayload,
  done: (err: Error | null, payload?: RequestPayload) => void,
): void {
  const type = request.headers['content-type'];
  if (type !== undefined && mediaType(type) !== 'application/json') {
    done(
      Object.assign(new Error('Unsupported content type: this operation takes an application/json body.'), {
        statusCode: 415,
      }),
    );
    return;
  }
  done(null, payload);
}

/**
 * A `/v5` operation with a body takes JSON only, unless its schema lists what it `consumes` (the OAuth
 * token endpoints take forms, as the spec says). Form parsing is registered for the whole server, for those
 * endpoints and the consent pages; without this a form body would reach a JSON operation as an object
 * of strings. The check runs before the body is read, so a refused body is never parsed.
 */
export function installJsonBodies(app: HttpServer): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { body?: unknown; consumes?: unknown } | undefined;
    if (!schema?.body || schema.consumes || !route.url.startsWith('/v5/')) return;
    const given = route.preParsing;
    route.preParsing = [jsonOnly, ...(given === undefined ? [] : Array.isArray(given) ? given : [given])];
  });
}
