#!/usr/bin/env node
// Derive the structural subset of Pinterest's OpenAPI description that Corkboard's contract tests use.
//
// Usage (from the project root, no npm needed):
//   node scripts/derive-spec-subset.mjs [path/to/openapi.json]
// The spec path defaults to ../shared/pinterest-api-v5/openapi.json (relative to the project root).
// Writes test/contract/spec-subset.json: the kept operations (method, operationId, parameters, request
// and response schemas, security, x-ratelimit-category) plus every component they reference,
// transitively, with all prose (description, summary, example(s), title, externalDocs, x-*) removed.
// Output keys are sorted, so re-running on the same spec gives the same file.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SPEC = resolve(ROOT, process.argv[2] ?? '../shared/pinterest-api-v5/openapi.json');
const OUT = resolve(ROOT, 'test/contract/spec-subset.json');

const PATHS = [
  '/oauth/token',
  '/oauth/token/revoke',
  '/user_account',
  '/user_account/followers',
  '/user_account/following',
  '/user_account/following/boards',
  '/user_account/following/{username}',
  '/boards',
  '/boards/{board_id}',
  '/boards/{board_id}/pins',
  '/boards/{board_id}/sections',
  '/boards/{board_id}/sections/{section_id}',
  '/boards/{board_id}/sections/{section_id}/pins',
  '/pins',
  '/pins/{pin_id}',
  '/pins/{pin_id}/save',
  '/media',
  '/media/{media_id}',
  '/search/pins',
  '/search/boards',
  '/search/partner/pins',
  '/pins/{pin_id}/analytics',
  '/pins/analytics',
  '/user_account/analytics',
  '/user_account/analytics/top_pins',
  '/terms/suggested',
  '/terms/related',
  '/trends/keywords/{region}/top/{trend_type}',
  '/user_account/websites',
  '/user_account/websites/verification',
  '/user_account/businesses',
  '/user_account/analytics/top_video_pins',
  '/users/{username}/interests/follow',
  '/oauth/conversion_token',
  // Ads (issue: Monetization part 1)
  '/ad_accounts',
  '/ad_accounts/{ad_account_id}',
  '/ad_accounts/{ad_account_id}/analytics',
  '/ad_accounts/{ad_account_id}/reports',
  '/ad_accounts/{ad_account_id}/targeting_analytics',
  '/ad_accounts/{ad_account_id}/templates',
  '/ad_accounts/{ad_account_id}/templates/{template_id}/reports',
  '/ad_accounts/{ad_account_id}/campaigns',
  '/ad_accounts/{ad_account_id}/campaigns/{campaign_id}',
  '/ad_accounts/{ad_account_id}/campaigns/analytics',
  '/ad_accounts/{ad_account_id}/campaigns/targeting_analytics',
  '/ad_accounts/{ad_account_id}/pins/analytics',
  '/ad_accounts/{ad_account_id}/ad_groups',
  '/ad_accounts/{ad_account_id}/ad_groups/{ad_group_id}',
  '/ad_accounts/{ad_account_id}/ad_groups/analytics',
  '/ad_accounts/{ad_account_id}/ad_groups/targeting_analytics',
  '/ad_accounts/{ad_account_id}/ad_groups/audience_sizing',
  '/ad_accounts/{ad_account_id}/bid_floor',
  '/ad_accounts/{ad_account_id}/ads',
  '/ad_accounts/{ad_account_id}/ads/{ad_id}',
  '/ad_accounts/{ad_account_id}/ads/analytics',
  '/ad_accounts/{ad_account_id}/ads/targeting_analytics',
  '/ad_accounts/{ad_account_id}/ad_previews',
  '/ad_accounts/{ad_account_id}/keywords',
  '/ad_accounts/{ad_account_id}/keywords/metrics',
  '/ad_accounts/{ad_account_id}/audiences',
  '/ad_accounts/{ad_account_id}/audiences/{audience_id}',
  '/ad_accounts/{ad_account_id}/customer_lists',
  '/ad_accounts/{ad_account_id}/customer_lists/{customer_list_id}',
  '/ad_accounts/{ad_account_id}/targeting_templates',
  '/ad_accounts/{ad_account_id}/events',
  '/ad_accounts/{ad_account_id}/conversion_tags',
  '/ad_accounts/{ad_account_id}/conversion_tags/{conversion_tag_id}',
  '/resources/targeting/{targeting_type}',
  '/resources/targeting/interests/{interest_id}',
  '/resources/delivery_metrics',
  '/resources/ad_account_countries',
  '/resources/metrics_ready_state',
];
const METHODS = ['get', 'put', 'post', 'patch', 'delete', 'head', 'options'];
const PROSE = new Set(['description', 'summary', 'example', 'examples', 'title', 'externalDocs']);
/** Schema keywords whose value is a map of name -> schema (the names are data, never stripped). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions']);
/** Schema keywords whose value is a schema or a list of schemas. */
const SCHEMA_SUBS = new Set(['items', 'additionalProperties', 'not', 'allOf', 'oneOf', 'anyOf']);

const spec = JSON.parse(readFileSync(SPEC, 'utf8'));

/** Whether an object key is prose/vendor noise to drop. */
const isNoise = (key) => PROSE.has(key) || (key.startsWith('x-') && key !== 'x-ratelimit-category');

/** Strip prose from a schema, recursing only into sub-schema positions. */
function cleanSchema(schema) {
  if (Array.isArray(schema)) return schema.map(cleanSchema);
  if (schema === null || typeof schema !== 'object') return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (isNoise(key)) continue;
    if (SCHEMA_MAPS.has(key)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([n, s]) => [n, cleanSchema(s)]));
    } else if (SCHEMA_SUBS.has(key)) {
      out[key] = typeof value === 'boolean' ? value : cleanSchema(value);
    } else {
      out[key] = value; // enum, required, default, pattern, discriminator...: structural data, kept as-is
    }
  }
  return out;
}

/** Keep only the structural fields of a parameter (or its $ref). */
function cleanParameter(param) {
  if (param.$ref) return { $ref: param.$ref };
  const out = { name: param.name, in: param.in, required: param.required ?? false };
  for (const key of ['style', 'explode']) if (key in param) out[key] = param[key];
  if (param.schema) out.schema = cleanSchema(param.schema);
  return out;
}

/** media type -> schema, for a requestBody or response `content` map. */
const cleanContent = (content = {}) =>
  Object.fromEntries(Object.entries(content).map(([mt, m]) => [mt, cleanSchema(m.schema ?? {})]));

/** The structural part of one operation. */
function cleanOperation(op) {
  const out = { operationId: op.operationId, parameters: (op.parameters ?? []).map(cleanParameter) };
  if (op.requestBody) {
    out.requestBody = {
      required: op.requestBody.required ?? false,
      content: cleanContent(op.requestBody.content),
    };
  }
  out.responses = Object.fromEntries(
    Object.entries(op.responses ?? {}).map(([status, r]) => [
      status,
      r.$ref ? { $ref: r.$ref } : cleanContent(r.content),
    ]),
  );
  if (op.security) out.security = op.security;
  if (op['x-ratelimit-category']) out['x-ratelimit-category'] = op['x-ratelimit-category'];
  return out;
}

/** Every '#/components/...' reference inside a value, including discriminator mapping targets. */
function collectRefs(value, found = new Set()) {
  if (Array.isArray(value)) for (const v of value) collectRefs(v, found);
  else if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      if (key === '$ref' && typeof v === 'string') found.add(v);
      else if (key === 'mapping' && v && typeof v === 'object')
        for (const t of Object.values(v)) found.add(t);
      else collectRefs(v, found);
    }
  }
  return found;
}

/** Recursively sort object keys for a stable file. */
const sortKeys = (v) =>
  Array.isArray(v)
    ? v.map(sortKeys)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sortKeys(v[k])]),
        )
      : v;

/**
 * JSON laid out the way the project's formatter (biome, line width 110) lays it out, so that `biome check`
 * leaves the generated file alone: objects one key per line, arrays of scalars on one line when they fit.
 */
function formatJson(value, indent = 0, lead = 0, trail = 0) {
  const pad = ' '.repeat(indent + 2);
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    const inline = `[${value.map((v) => JSON.stringify(v)).join(', ')}]`;
    const scalars = value.every((v) => v === null || typeof v !== 'object');
    if (scalars && indent + lead + inline.length + trail <= 110) return inline;
    const rows = value.map((v, i) => pad + formatJson(v, indent + 2, 0, i < value.length - 1 ? 1 : 0));
    return `[\n${rows.join(',\n')}\n${' '.repeat(indent)}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value);
    if (entries.length === 0) return '{}';
    const rows = entries.map(([k, v], i) => {
      const key = `${JSON.stringify(k)}: `;
      return pad + key + formatJson(v, indent + 2, key.length, i < entries.length - 1 ? 1 : 0);
    });
    return `{\n${rows.join(',\n')}\n${' '.repeat(indent)}}`;
  }
  return JSON.stringify(value);
}

const operations = {};
const missing = [];
for (const path of PATHS) {
  const item = spec.paths?.[path];
  if (!item) {
    missing.push(path);
    continue;
  }
  const pathParams = item.parameters ?? [];
  operations[path] = {};
  for (const method of METHODS) {
    if (!item[method]) continue;
    const op = { ...item[method], parameters: [...pathParams, ...(item[method].parameters ?? [])] };
    operations[path][method] = cleanOperation(op);
  }
}

const CLEANERS = {
  schemas: cleanSchema,
  parameters: cleanParameter,
  responses: (r) => cleanContent(r.content),
};
const components = {};
const pending = [...collectRefs(operations)];
const seen = new Set();
while (pending.length > 0) {
  const ref = pending.pop();
  if (seen.has(ref)) continue;
  seen.add(ref);
  const [, section, name, ...rest] = ref.replace(/^#\//, '').split('/');
  if (!ref.startsWith('#/components/') || rest.length > 0 || !CLEANERS[section]) {
    throw new Error(`unsupported $ref ${ref}`);
  }
  const raw = spec.components?.[section]?.[name];
  if (!raw) throw new Error(`dangling $ref ${ref}`);
  const cleaned = CLEANERS[section](raw);
  components[section] ??= {};
  components[section][name] = cleaned;
  pending.push(...collectRefs(cleaned));
}

const subset = {
  source: 'pinterest/api-description openapi.json',
  release: spec.info.version,
  operations: sortKeys(operations),
  components: sortKeys(components),
};
writeFileSync(OUT, `${formatJson(subset)}\n`);

// The request examples of the ads operations (test data for "the spec's examples are accepted"): the
// operation's own JSON example, else one composed from its schema's examples, as Pinterest's reference
// renders it (an object's example wins over its properties'; arrays hold one example item).
const EXAMPLES_OUT = resolve(ROOT, 'test/contract/spec-examples.json');
const deref = (o) => (o?.$ref ? deref(o.$ref.replace(/^#\//, '').split('/').reduce((a, k) => a[k], spec)) : o);
function composeExample(schema, depth = 0) {
  const s = deref(schema);
  if (!s || depth > 10) return undefined;
  if (s.example !== undefined) return s.example;
  if (s.allOf) {
    let out;
    for (const part of s.allOf) {
      const v = composeExample(part, depth + 1);
      if (v && typeof v === 'object' && !Array.isArray(v)) out = { ...(out ?? {}), ...v };
      else if (v !== undefined && out === undefined) out = v;
    }
    return out;
  }
  if (s.oneOf || s.anyOf) return composeExample((s.oneOf ?? s.anyOf)[0], depth + 1);
  if (s.type === 'array' || s.items) {
    const v = composeExample(s.items, depth + 1);
    return v === undefined ? undefined : [v];
  }
  if (s.properties) {
    const out = {};
    for (const [k, p] of Object.entries(s.properties)) {
      if (deref(p)?.readOnly) continue;
      let v = composeExample(p, depth + 1);
      // A required text field without an example gets a placeholder, as the reference's renderer does.
      if (v === undefined && s.required?.includes(k) && deref(p)?.type === 'string') v = 'string';
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  return s.default ?? s.enum?.find((v) => v !== null);
}
const examples = {};
for (const path of PATHS.filter((p) => p.startsWith('/ad_accounts') || p === '/oauth/conversion_token')) {
  for (const method of ['post', 'patch', 'put']) {
    const body = deref(spec.paths[path]?.[method]?.requestBody)?.content?.['application/json'];
    if (!body) continue;
    const example = body.example ?? composeExample(body.schema);
    if (example !== undefined) examples[`${method.toUpperCase()} ${path}`] = example;
  }
}
writeFileSync(
  EXAMPLES_OUT,
  `${formatJson({ source: 'pinterest/api-description openapi.json', release: spec.info.version, examples: sortKeys(examples) })}\n`,
);

const opCount = Object.values(operations).reduce((n, ops) => n + Object.keys(ops).length, 0);
const counts = Object.entries(components).map(([s, v]) => `${Object.keys(v).length} ${s}`);
console.log(`release ${subset.release}: ${opCount} operations, ${counts.join(', ')} -> ${OUT}`);
if (missing.length > 0) console.log(`not in the spec (skipped): ${missing.join(', ')}`);
