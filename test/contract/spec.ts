// Contract helpers over test/contract/spec-subset.json, a structural subset of Pinterest's API v5
// description derived by scripts/derive-spec-subset.mjs. OpenAPI 3.0 schemas are converted to JSON Schema
// and validated with one shared ajv instance; unknown extra properties are allowed, as in the spec.
import { readFileSync } from 'node:fs';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type Operation = {
  operationId: string;
  responses: Record<string, Record<string, JsonObject>>;
  security?: Record<string, string[]>[];
  'x-ratelimit-category'?: string;
};
type Subset = {
  release: string;
  operations: Record<string, Record<string, Operation>>;
  components: Record<string, Record<string, JsonObject>>;
};

const SUBSET: Subset = JSON.parse(readFileSync(new URL('./spec-subset.json', import.meta.url), 'utf8'));
const DOC_ID = 'pinterest-v5';
/** OpenAPI-only keywords with no validation meaning for a response body. */
const DROP = new Set(['nullable', 'readOnly', 'writeOnly', 'discriminator', 'xml', 'deprecated']);
const SUB_LISTS = new Set(['allOf', 'oneOf', 'anyOf']);
const SUB_ONE = new Set(['items', 'not', 'additionalProperties']);
const COMPOSED = ['$ref', 'allOf', 'oneOf', 'anyOf', 'not'];

/** Convert one OpenAPI 3.0 schema (recursively) into JSON Schema that ajv understands. */
function toJsonSchema(schema: Json): Json {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROP.has(key)) continue;
    if (key === '$ref' && typeof value === 'string') out[key] = value.replace(/^#\//, `${DOC_ID}#/`);
    else if (key === 'properties' && value && typeof value === 'object' && !Array.isArray(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, s]) => [name, toJsonSchema(s)]));
    } else if (SUB_LISTS.has(key) && Array.isArray(value)) out[key] = value.map(toJsonSchema);
    else if (SUB_ONE.has(key)) out[key] = toJsonSchema(value);
    else out[key] = value;
  }
  if (schema.nullable !== true) return out;
  // nullable: widen a plain `type` in place; anything composed ($ref, allOf, ...) is wrapped in anyOf.
  if (typeof out.type === 'string' && !COMPOSED.some((k) => k in out)) {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  return { anyOf: [{ type: 'null' }, out] };
}

/** Every `format` name used anywhere in a value. */
function formatsIn(value: Json, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) formatsIn(v, found);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'format' && typeof v === 'string') found.add(v);
      else formatsIn(v, found);
    }
  }
  return found;
}

function buildAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true });
  // ajv-formats is CommonJS: under NodeNext the default import is module.exports, which carries `.default`.
  addFormats.default(ajv);
  for (const name of formatsIn(SUBSET.components as unknown as Json)) {
    if (!ajv.formats[name]) ajv.addFormat(name, true);
  }
  for (const ops of Object.values(SUBSET.operations)) {
    for (const name of formatsIn(ops as unknown as Json)) if (!ajv.formats[name]) ajv.addFormat(name, true);
  }
  const components = Object.fromEntries(
    Object.entries(SUBSET.components).map(([section, entries]) => [
      section,
      Object.fromEntries(Object.entries(entries).map(([name, s]) => [name, toJsonSchema(s)])),
    ]),
  );
  ajv.addSchema({ $id: DOC_ID, components });
  return ajv;
}

const ajv = buildAjv();
const validators = new Map<string, ValidateFunction>();

/** Normalise a path template: optional `/v5` prefix removed. */
const specPath = (path: string): string => path.replace(/^\/v5(?=\/)/, '');

/** The spec's operation for a method and path template, if it is in the subset. */
function operation(method: string, path: string): Operation | undefined {
  return SUBSET.operations[specPath(path)]?.[method.toLowerCase()];
}

/** The response entry (media type -> schema) for a status: exact, then `4XX`-style range, then `default`. */
function responseFor(op: Operation, status: number): [string, Record<string, JsonObject>] | undefined {
  for (const key of [String(status), `${String(status)[0]}XX`, 'default']) {
    const entry = op.responses[key];
    if (entry) return [key, entry];
  }
  return undefined;
}

/** Pick the JSON media type's schema from a content map (falls back to the first listed). */
function jsonSchemaOf(content: Record<string, JsonObject>): JsonObject | undefined {
  return content['application/json'] ?? Object.values(content)[0];
}

/** The response body schema (OpenAPI form, `$ref`s unresolved) for an operation and status, if any. */
export function responseSchemaFor(method: string, path: string, status: number): object | undefined {
  const op = operation(method, path);
  const entry = op && responseFor(op, status);
  return entry && jsonSchemaOf(entry[1]);
}

/** Format ajv errors as one line each: instance path, message, and the offending params. */
function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => `  ${e.instancePath || '(root)'} ${e.message ?? e.keyword} ${JSON.stringify(e.params)}`)
    .join('\n');
}

/** Throw unless `body` matches the spec's response schema for this operation and status. */
export function expectResponseMatchesSpec(method: string, path: string, status: number, body: unknown): void {
  const label = `${method.toUpperCase()} ${specPath(path)} ${status}`;
  const op = operation(method, path);
  if (!op) throw new Error(`${label}: operation not in the spec subset`);
  const entry = responseFor(op, status);
  if (!entry) throw new Error(`${label}: the spec documents no response for this status`);
  const schema = jsonSchemaOf(entry[1]);
  if (!schema) {
    // Declared without content (e.g. 204): the body must be empty.
    if (body === undefined || body === null || body === '') return;
    throw new Error(
      `${label}: the spec declares no body for response '${entry[0]}', got ${JSON.stringify(body)}`,
    );
  }
  const key = `${label} ${entry[0]}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(toJsonSchema(schema) as object);
    validators.set(key, validate);
  }
  if (!validate(body)) {
    throw new Error(
      `${label}: body does not match response '${entry[0]}':\n${formatErrors(validate.errors)}`,
    );
  }
}

/** The OAuth scopes the spec lists for an operation under `pinterest_oauth2`. */
export function operationSecurity(method: string, path: string): string[] {
  const scopes = (operation(method, path)?.security ?? []).flatMap((req) => req.pinterest_oauth2 ?? []);
  return [...new Set(scopes)];
}

/** The operation's `x-ratelimit-category` (org_read, org_write, ...), if the spec gives one. */
export function rateLimitCategory(method: string, path: string): string | undefined {
  return operation(method, path)?.['x-ratelimit-category'];
}

/** Every operation in the subset, as method (upper case), spec path and operationId. */
export function specOperations(): { method: string; path: string; operationId: string }[] {
  return Object.entries(SUBSET.operations).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      operationId: op.operationId,
    })),
  );
}

/** The Pinterest API release the subset was derived from. */
export const specRelease: string = SUBSET.release;
