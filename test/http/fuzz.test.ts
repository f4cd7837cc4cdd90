import { beforeAll, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { startTestApp } from '../helpers/app.js';
import { makeBoard, makePin, makeUser, type TestUser } from '../helpers/factories.js';
import {
  BAD_IDS,
  badValues,
  EDGE_IDS,
  formBody,
  idLike,
  type JsonSchema,
  pathSegment,
  prng,
  queryString,
  validValue,
} from '../helpers/fuzz-inputs.js';
import { makeImage } from '../helpers/images.js';

/**
 * Walks every operation in the server's own OpenAPI document and sends it inputs made from that
 * operation's schemas, one field wrong at a time (see fuzz-inputs.ts). Whatever the input, the answer is
 * never a 5xx, and every 4xx is Pinterest's `{code, message}`. Seeded, so a failure replays exactly.
 */

const SEED = 20_240_611;
/** Cases per operation: every id edge and NUL case, then a seeded sample of the rest up to this. */
const BUDGET = 48;
const PARALLEL = 4;

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonSchema;
}
interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
}
type Where = 'path' | 'query' | 'body';
interface Slot {
  where: Where;
  /** A field name, or '' for the whole body. */
  name: string;
  schema: JsonSchema;
}
interface Case {
  slot: Slot;
  value: unknown;
}

let app: App;
let owner: TestUser;
let doc: { paths: Record<string, Record<string, Operation>> };
const fixtures: Record<string, string> = {};
let png: string;

beforeAll(async () => {
  // The owner is an experiments operator, so the experiments API's inputs reach its service.
  app = await startTestApp({ env: { EXPERIMENT_ADMINS: 'fuzz_owner' } });
  owner = await makeUser(app, 'fuzz_owner');
  const other = await makeUser(app);
  const board = await makeBoard(app, owner);
  const section = await app.http.inject({
    method: 'POST',
    url: `/v5/boards/${board.id}/sections`,
    headers: await owner.auth(),
    payload: { name: 'Fuzzed' },
  });
  const media = await app.http.inject({
    method: 'POST',
    url: '/v5/media',
    headers: await owner.auth(),
    payload: { media_type: 'video' },
  });
  png = (await makeImage({ width: 8, height: 8 })).toString('base64');
  Object.assign(fixtures, {
    board_id: board.id,
    section_id: section.json().id,
    pin_id: await makePin(app, owner, board.id),
    media_id: media.json().media_id,
    username: other.username,
    key: await experimentKey(app, owner),
  });
  doc = (await app.http.inject({ method: 'GET', url: '/v5/openapi.json' })).json();
});

/** A layer, an experiment and a flag of one key for the `{key}` routes of the experiments API. */
async function experimentKey(app: App, owner: TestUser): Promise<string> {
  const key = 'fuzzed';
  const headers = await owner.auth();
  for (const [url, payload] of [
    ['/v5/experiments/layers', { key }],
    [
      '/v5/experiments',
      { key, layer: key, buckets: [{ start: 0, end: 100 }], variants: [{ key: 'a', weight: 1 }] },
    ],
    [
      '/v5/experiments/flags',
      { key, value: { type: 'boolean', value: true }, default_value: { type: 'boolean', value: false } },
    ],
  ] as const) {
    const res = await app.http.inject({ method: 'POST', url, headers, payload });
    if (res.statusCode !== 201) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  }
  return key;
}

/** The body an operation needs to get past validation, where the schema alone does not say. */
function baseBody(method: string, path: string, schema: JsonSchema): unknown {
  if (method === 'POST' && path === '/v5/pins')
    return {
      board_id: fixtures.board_id,
      media_source: { source_type: 'image_base64', content_type: 'image/png', data: png },
    };
  if (path === '/v5/pins/{pin_id}/save') return { board_id: fixtures.board_id };
  return validValue(schema);
}

function slotsOf(op: Operation, bodySchema: JsonSchema | undefined): Slot[] {
  const slots: Slot[] = (op.parameters ?? [])
    .filter((p) => p.in === 'path' || p.in === 'query')
    .map((p) => ({ where: p.in as Where, name: p.name, schema: p.schema }));
  if (bodySchema) {
    slots.push({ where: 'body', name: '', schema: bodySchema });
    for (const [name, schema] of Object.entries(bodySchema.properties ?? {}))
      slots.push({ where: 'body', name, schema });
  }
  return slots;
}

/** Every id edge for id-like fields (the bigint and 64-bit edges in bodies), NUL in every text field, then a seeded sample. */
function casesOf(slots: Slot[], random: () => number): Case[] {
  const must: Case[] = [];
  const rest: Case[] = [];
  for (const slot of slots) {
    const isText = (slot.schema.type ?? slot.schema.anyOf?.[0]?.type) === 'string';
    if (slot.name && idLike(slot.name, slot.schema))
      for (const value of slot.where === 'body' ? EDGE_IDS : BAD_IDS) must.push({ slot, value });
    if (isText && slot.name) must.push({ slot, value: `nul\u0000${slot.name}` });
    for (const value of badValues(slot.schema, slot.name)) rest.push({ slot, value });
  }
  for (let i = rest.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [rest[i], rest[j]] = [rest[j]!, rest[i]!];
  }
  return [...must, ...rest.slice(0, Math.max(12, BUDGET - must.length))];
}

const preview = (v: unknown) => {
  const text = v === undefined ? 'undefined' : JSON.stringify(v);
  return text.length > 160 ? `${text.slice(0, 160)}… (${text.length} chars)` : text;
};

/** What is wrong with an answer, if anything. */
function problemWith(status: number, body: string): string | undefined {
  if (status >= 500) return `answered ${status}`;
  if (status < 400) return undefined;
  try {
    const parsed = JSON.parse(body);
    if (typeof parsed?.code === 'number' && typeof parsed?.message === 'string') return undefined;
  } catch {}
  return `answered ${status} without {code, message}`;
}

it('no input made from the OpenAPI document gets a 5xx, and every 4xx is {code, message}', async () => {
  const random = prng(SEED);
  const token = await owner.token();
  const failures: string[] = [];
  let sent = 0;
  const operations = Object.entries(doc.paths)
    .flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase(), op })),
    )
    // Deletes last, so the fixtures the other operations use are still there.
    .sort((a, b) => Number(a.method === 'DELETE') - Number(b.method === 'DELETE'));
  expect(operations.length).toBeGreaterThan(30);

  for (const { path, method, op } of operations) {
    const [contentType, media] = Object.entries(op.requestBody?.content ?? {})[0] ?? [];
    const base = {
      path: Object.fromEntries(
        (op.parameters ?? [])
          .filter((p) => p.in === 'path')
          .map((p) => [p.name, fixtures[p.name] ?? validValue(p.schema, p.name)]),
      ),
      query: Object.fromEntries(
        (op.parameters ?? [])
          .filter((p) => p.in === 'query' && p.required)
          .map((p) => [p.name, validValue(p.schema, p.name)]),
      ),
      body: media ? baseBody(method, path, media.schema) : undefined,
    };
    const cases = casesOf(slotsOf(op, media?.schema), random);
    const run = async ({ slot, value }: Case) => {
      const input = { path: { ...base.path }, query: { ...base.query }, body: base.body };
      if (slot.where === 'body' && !slot.name) input.body = value;
      else if (slot.where === 'body') input.body = { ...(base.body as object), [slot.name]: value };
      else input[slot.where][slot.name] = value;
      const url =
        path.replace(/\{(\w+)\}/g, (_, name) => pathSegment(input.path[name])) + queryString(input.query);
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      let payload: string | undefined;
      if (contentType) {
        headers['content-type'] = contentType;
        payload = contentType.includes('json') ? JSON.stringify(input.body) : formBody(input.body);
      }
      const res = await app.http.inject({ method: method as 'GET', url, headers, payload });
      sent++;
      const problem = problemWith(res.statusCode, res.body);
      if (problem) {
        failures.push(
          `${method} ${path} ${slot.where}${slot.name ? `.${slot.name}` : ''} = ${preview(value)}\n` +
            `    url ${url.slice(0, 200)}${payload ? `\n    body ${preview(payload)}` : ''}\n` +
            `    ${problem}: ${res.body.slice(0, 200)}`,
        );
      }
    };
    for (let i = 0; i < cases.length; i += PARALLEL) await Promise.all(cases.slice(i, i + PARALLEL).map(run));
  }
  if (failures.length > 0)
    throw new Error(
      `${failures.length} of ${sent} fuzzed requests failed:\n${failures.slice(0, 60).join('\n')}`,
    );
  expect(sent).toBeGreaterThan(operations.length * 12);
}, 120_000);
