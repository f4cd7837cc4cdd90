import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { ExperimentOperators } from '../../../src/modules/experiments/definitions/definitions.policy.js';
import { DefinitionsService } from '../../../src/modules/experiments/index.js';
import { startTestApp } from '../../helpers/app.js';
import { FULL, makeUser, type TestUser } from '../../helpers/factories.js';

// Operators are named in EXPERIMENT_ADMINS by username (known before the app starts) or by user id.
const OPERATOR = 'exp_operator';

let app: App;
let operator: TestUser;
let stranger: TestUser;

beforeAll(async () => {
  app = await startTestApp({ runJobs: false, env: { EXPERIMENT_ADMINS: `${OPERATOR},12345` } });
  operator = await makeUser(app, OPERATOR);
  stranger = await makeUser(app);
});

async function call(user: TestUser | null, method: string, url: string, payload?: unknown, scopes = FULL) {
  const headers = user ? await user.auth(scopes) : {};
  return app.http.inject({ method: method as 'GET', url, headers, payload: payload as object });
}
const as = (method: string, url: string, payload?: unknown) => call(operator, method, url, payload);

const variants = (a: number, b: number) => [
  { key: 'control', weight: a, parameters: [{ name: 'blend', type: 'number', value: 0.3 }] },
  { key: 'treatment', weight: b, parameters: [{ name: 'blend', type: 'number', value: 0.5 }] },
];

async function layer(key: string, holdout = 0) {
  const res = await as('POST', '/v5/experiments/layers', { key, holdout, description: `Layer ${key}` });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

describe('experiment lifecycle', () => {
  it('create → start → ramp → refused weight change → restart with a new salt, every step audited', async () => {
    await layer('feed');
    const created = await as('POST', '/v5/experiments', {
      key: 'feed-blend',
      layer: 'feed',
      description: 'More related pins in the home feed',
      hypothesis: 'Saves per user rise',
      owner: 'feed team',
      buckets: [{ start: 0, end: 5000 }],
      variants: variants(1, 1),
      targeting: { countries: ['US', 'GB'], platforms: ['web'] },
      ramp: 100,
    });
    expect(created.statusCode, created.body).toBe(201);
    const first = created.json();
    expect(first).toMatchObject({
      key: 'feed-blend',
      layer: 'feed',
      status: 'draft',
      ramp: 100,
      version: 1,
      started_at: null,
      targeting: { countries: ['US', 'GB'], platforms: ['web'] },
      variants: variants(1, 1),
      notes: [],
    });
    expect(first.salt).toMatch(/^[0-9a-f]{24}$/);

    // A draft may change in any way, weights included.
    const draftEdit = await as('PATCH', '/v5/experiments/feed-blend', { variants: variants(2, 1) });
    expect(draftEdit.statusCode, draftEdit.body).toBe(200);
    expect(draftEdit.json().variants.map((v: { weight: number }) => v.weight)).toEqual([2, 1]);

    const started = await as('POST', '/v5/experiments/feed-blend/start');
    expect(started.statusCode, started.body).toBe(200);
    expect(started.json()).toMatchObject({ status: 'running', version: 3 });
    expect(started.json().started_at).toEqual(expect.any(String));
    expect((await as('POST', '/v5/experiments/feed-blend/start')).statusCode).toBe(409);

    // The compiled definitions serving code reads now hold it.
    const running = await app.product.experiments.runningLayers();
    const feed = running.find((l) => l.definition.key === 'feed');
    expect(feed?.experiments.map((e) => e.definition.key)).toEqual(['feed-blend']);

    const ramped = await as('PATCH', '/v5/experiments/feed-blend', { ramp: 5000 });
    expect(ramped.statusCode, ramped.body).toBe(200);
    expect(ramped.json().ramp).toBe(5000);
    expect(ramped.json().notes).toEqual(['ramp 100 → 5000 bp: adds units, none moves']);

    const refused = await as('PATCH', '/v5/experiments/feed-blend', { variants: variants(1, 1) });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toEqual({
      code: 409,
      message: expect.stringMatching(
        /^weights changed on a started experiment \(control 2 → 1\).*restart the experiment with a new salt/,
      ),
    });
    expect((await as('GET', '/v5/experiments/feed-blend')).json().variants[0].weight).toBe(2);

    const movedBuckets = await as('PATCH', '/v5/experiments/feed-blend', {
      buckets: [{ start: 0, end: 6000 }],
    });
    expect(movedBuckets.statusCode).toBe(409);
    expect(movedBuckets.json().message).toMatch(/bucket allocation changed/);

    const restarted = await as('POST', '/v5/experiments/feed-blend/restart', { variants: variants(1, 1) });
    expect(restarted.statusCode, restarted.body).toBe(200);
    const after = restarted.json();
    expect(after.salt).not.toBe(first.salt);
    expect(after).toMatchObject({ status: 'running', ramp: 5000 });
    expect(after.variants.map((v: { weight: number }) => v.weight)).toEqual([1, 1]);
    expect(after.notes[0]).toMatch(/salt changed: a restart/);

    // A restart needs no body: a new salt alone.
    const bare = await app.http.inject({
      method: 'POST',
      url: '/v5/experiments/feed-blend/restart',
      headers: await operator.auth(),
    });
    expect(bare.statusCode, bare.body).toBe(200);
    expect(bare.json().salt).not.toBe(after.salt);

    const stopped = await as('POST', '/v5/experiments/feed-blend/stop');
    expect(stopped.json()).toMatchObject({ status: 'stopped', stopped_at: expect.any(String) });
    expect(
      (await app.product.experiments.runningLayers()).find((l) => l.definition.key === 'feed')?.experiments,
    ).toEqual([]);

    const audit = await as('GET', '/v5/experiments/feed-blend/audit');
    expect(audit.statusCode, audit.body).toBe(200);
    const entries = audit.json().items;
    expect(entries.map((e: { action: string }) => e.action)).toEqual([
      'create',
      'update',
      'start',
      'update',
      'restart',
      'restart',
      'stop',
    ]);
    for (const e of entries) expect(e.actor).toBe(`user:${operator.id}`);
    expect(entries[0]).toMatchObject({ subject: 'experiment', key: 'feed-blend', before: null });
    expect(entries[3]).toMatchObject({
      before: { ramp: 100 },
      after: { ramp: 5000 },
      notes: ['ramp 100 → 5000 bp: adds units, none moves'],
    });
    expect(entries[4].before.salt).toBe(first.salt);
    expect(entries[4].after.salt).toBe(after.salt);
  });

  it('refuses what the assignment engine refuses, with its reasons, and writes nothing', async () => {
    await layer('ads', 1000);
    const base = { layer: 'ads', variants: variants(1, 1) };
    const inHoldout = await as('POST', '/v5/experiments', {
      ...base,
      key: 'reserve',
      buckets: [{ start: 500, end: 2000 }],
    });
    expect(inHoldout.statusCode).toBe(400);
    expect(inHoldout.json()).toEqual({
      code: 1,
      message: 'experiment reserve: buckets from 500 overlap the holdout',
    });

    const ok = await as('POST', '/v5/experiments', {
      ...base,
      key: 'reserve',
      buckets: [{ start: 1000, end: 3000 }],
    });
    expect(ok.statusCode, ok.body).toBe(201);
    const overlap = await as('POST', '/v5/experiments', {
      ...base,
      key: 'spacing',
      buckets: [{ start: 2500, end: 4000 }],
    });
    expect(overlap.statusCode).toBe(400);
    expect(overlap.json().message).toMatch(/bucket 2500 is also experiment reserve's/);

    const zero = await as('POST', '/v5/experiments', {
      ...base,
      key: 'zero',
      buckets: [{ start: 5000, end: 6000 }],
      variants: [{ key: 'a', weight: 0 }],
    });
    expect(zero.statusCode).toBe(400);
    expect(zero.json().message).toBe('experiment zero: weights add up to 0');

    const noLayer = await as('POST', '/v5/experiments', {
      ...base,
      key: 'lost',
      layer: 'nope',
      buckets: [{ start: 0, end: 1 }],
    });
    expect(noLayer.statusCode).toBe(400);
    expect(noLayer.json().message).toMatch(/layer nope does not exist/);

    const dup = await as('POST', '/v5/experiments', {
      ...base,
      key: 'reserve',
      buckets: [{ start: 5000, end: 6000 }],
    });
    expect(dup.statusCode).toBe(409);

    // The holdout may not grow into a running experiment's buckets.
    expect((await as('POST', '/v5/experiments/reserve/start')).statusCode).toBe(200);
    const grow = await as('PATCH', '/v5/experiments/layers/ads', { holdout: 2000 });
    expect(grow.statusCode).toBe(409);
    expect(grow.json().message).toBe('the holdout would take buckets of reserve');

    const audit = (await as('GET', '/v5/experiments/spacing/audit')).json();
    expect(audit.items).toEqual([]);
  });

  it('answers 400 {code, message} to bad input, never 500, and ignores undocumented fields', async () => {
    for (const body of [
      { key: 'Bad Key', layer: 'feed', buckets: [{ start: 0, end: 1 }], variants: variants(1, 1) },
      { key: 'nolayer', buckets: [{ start: 0, end: 1 }], variants: variants(1, 1) },
      { key: 'x', layer: 'feed', buckets: [{ start: 0, end: 10_001 }], variants: variants(1, 1) },
      { key: 'x', layer: 'feed', buckets: [{ start: 0, end: 1 }], variants: [] },
      { key: 'x', layer: 'feed', buckets: [{ start: 0, end: 1 }], variants: variants(1, 1), ramp: -1 },
      {
        key: 'x',
        layer: 'feed',
        buckets: [{ start: 0, end: 1 }],
        variants: variants(1, 1),
        targeting: { platforms: ['tv'] },
      },
      { key: 'layers', layer: 'feed', buckets: [{ start: 9000, end: 9001 }], variants: variants(1, 1) },
      {
        key: 'x',
        layer: 'feed',
        buckets: [{ start: 9000, end: 9001 }],
        variants: [{ key: 'a', weight: 1, parameters: [{ name: 'p', type: 'number', value: 'nope' }] }],
      },
      [1, 2],
    ]) {
      const res = await as('POST', '/v5/experiments', body);
      expect(res.statusCode, `${JSON.stringify(body)}: ${res.body}`).toBe(400);
      expect(res.json()).toEqual({ code: 1, message: expect.any(String) });
    }
    const badParam = await as('POST', '/v5/experiments', {
      key: 'typed',
      layer: 'feed',
      buckets: [{ start: 9000, end: 9001 }],
      variants: [{ key: 'a', weight: 1, parameters: [{ name: 'p', type: 'number', value: 'nope' }] }],
    });
    expect(badParam.json().message).toBe('experiment typed: variant a parameter p is not a finite number');

    // Read-only and unknown fields are dropped: status, salt, version, timestamps stay the server's.
    const res = await as('POST', '/v5/experiments', {
      key: 'quiet',
      layer: 'feed',
      buckets: [{ start: 9000, end: 9500 }],
      variants: variants(1, 1),
      status: 'running',
      salt: 'chosen',
      version: 99,
      started_at: '2099-01-01T00:00:00.000Z',
      zz_unknown: 1,
    });
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ status: 'draft', version: 1, started_at: null });
    expect(res.json().salt).not.toBe('chosen');
    expect(res.json()).not.toHaveProperty('zz_unknown');
    const patched = await as('PATCH', '/v5/experiments/quiet', {
      status: 'running',
      key: 'other',
      salt: 'x',
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ key: 'quiet', status: 'draft', salt: res.json().salt });

    expect((await as('GET', '/v5/experiments/missing')).statusCode).toBe(404);
    expect((await as('PATCH', '/v5/experiments/missing', { ramp: 1 })).json()).toEqual({
      code: 404,
      message: 'Experiment missing not found.',
    });
    expect((await as('GET', '/v5/experiments?bookmark=garbage')).statusCode).toBe(400);
    // A draft may be deleted; its audit log stays.
    expect((await as('DELETE', '/v5/experiments/quiet')).statusCode).toBe(204);
    const log = (await as('GET', '/v5/experiments/quiet/audit')).json().items;
    expect(log.map((e: { action: string }) => e.action)).toEqual(['create', 'update', 'delete']);
  });
});

describe('metric configuration', () => {
  it('names metrics with guardrails and minimum effects, shown by GET, changeable while running, audited', async () => {
    await layer('metrics-layer');
    const created = await as('POST', '/v5/experiments', {
      key: 'with-metrics',
      layer: 'metrics-layer',
      buckets: [{ start: 0, end: 10_000 }],
      variants: variants(1, 1),
      metrics: [
        { key: 'closeups_per_user', minimum_effect: { absolute: 0.25 } },
        { key: 'saves_per_user', guardrail: true },
        { key: 'ad_ctr', guardrail: false, minimum_effect: { relative: 0.1 } },
      ],
    });
    expect(created.statusCode, created.body).toBe(201);
    const shown = [
      {
        key: 'closeups_per_user',
        type: 'mean',
        guardrail: false,
        higher_is_better: true,
        minimum_effect: { absolute: 0.25 },
      },
      {
        key: 'saves_per_user',
        type: 'mean',
        guardrail: true,
        higher_is_better: true,
        minimum_effect: { relative: 0.05 },
      },
      {
        key: 'ad_ctr',
        type: 'ratio',
        guardrail: false,
        higher_is_better: true,
        minimum_effect: { relative: 0.1 },
      },
    ];
    expect(created.json().metrics).toEqual(shown);
    expect((await as('GET', '/v5/experiments/with-metrics')).json().metrics).toEqual(shown);

    // Without `metrics`: null, the catalog with its defaults.
    await layer('metrics-plain');
    const plain = await as('POST', '/v5/experiments', {
      key: 'catalog-metrics',
      layer: 'metrics-plain',
      buckets: [{ start: 0, end: 10_000 }],
      variants: variants(1, 1),
    });
    expect(plain.statusCode, plain.body).toBe(201);
    expect(plain.json().metrics).toBeNull();

    // Running: metrics may change (analysis only), weights still may not.
    expect((await as('POST', '/v5/experiments/with-metrics/start')).statusCode).toBe(200);
    const changed = await as('PATCH', '/v5/experiments/with-metrics', {
      metrics: [{ key: 'saves_per_user' }],
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().metrics).toEqual([{ ...shown[1], guardrail: false }]);
    expect(changed.json().notes.join(' ')).toMatch(/metrics changed: analysis only/);
    const reset = await as('PATCH', '/v5/experiments/with-metrics', { metrics: null });
    expect(reset.statusCode, reset.body).toBe(200);
    expect(reset.json().metrics).toBeNull();
    const log = (await as('GET', '/v5/experiments/with-metrics/audit')).json().items;
    const updates = log.filter((e: { action: string }) => e.action === 'update');
    expect(updates).toHaveLength(2);
    expect(updates[0].before.metrics).toEqual(shown);
    expect(updates[0].after.metrics).toEqual([{ ...shown[1], guardrail: false }]);
    expect(updates[1].after.metrics).toBeNull();
  });

  it('refuses unknown, repeated or badly sized metrics with 400 {code, message}, writing nothing', async () => {
    await layer('metrics-bad');
    const body = (metrics: unknown) => ({
      key: 'bad-metrics',
      layer: 'metrics-bad',
      buckets: [{ start: 0, end: 10 }],
      variants: variants(1, 1),
      metrics,
    });
    const cases: [unknown, RegExp][] = [
      [
        [{ key: 'revenue_per_moon' }],
        /metrics\[0\]\.key: unknown metric "revenue_per_moon"; one of saves_per_user/,
      ],
      [[{ key: 'saves_per_user' }, { key: 'saves_per_user' }], /named twice/],
      [[{ key: 'saves_per_user', minimum_effect: {} }], /exactly one of relative and absolute/],
      [[{ key: 'saves_per_user', minimum_effect: { relative: 0.1, absolute: 1 } }], /exactly one/],
      [[{ key: 'saves_per_user', minimum_effect: { relative: -0.1 } }], /./],
      [[{ key: 'saves_per_user', minimum_effect: { absolute: 0 } }], /./],
      [[{ key: 'saves_per_user', guardrail: 'yes' }], /./],
      [[], /./],
      [[{}], /./],
      ['saves_per_user', /./],
    ];
    for (const [metrics, message] of cases) {
      const res = await as('POST', '/v5/experiments', body(metrics));
      expect(res.statusCode, `${JSON.stringify(metrics)}: ${res.body}`).toBe(400);
      expect(res.json()).toEqual({ code: 1, message: expect.stringMatching(message) });
    }
    expect((await as('GET', '/v5/experiments/bad-metrics')).statusCode).toBe(404);
    // The same rules on PATCH; the stored definition is untouched.
    expect((await as('POST', '/v5/experiments', body([{ key: 'saves_per_user' }]))).statusCode).toBe(201);
    const bad = await as('PATCH', '/v5/experiments/bad-metrics', { metrics: [{ key: 'nope' }], ramp: 50 });
    expect(bad.statusCode).toBe(400);
    const after = (await as('GET', '/v5/experiments/bad-metrics')).json();
    expect(after).toMatchObject({ ramp: 0, version: 1 });
    expect(after.metrics.map((m: { key: string }) => m.key)).toEqual(['saves_per_user']);
  });
});

describe('who may use the API', () => {
  it('401 without a token, 403 without the scope, 403 for a non-operator with the scopes', async () => {
    const noToken = await call(null, 'GET', '/v5/experiments');
    expect(noToken.statusCode).toBe(401);
    expect(noToken.json()).toEqual({ code: 2, message: expect.any(String) });

    const readOnly = FULL.filter((s) => s !== 'experiments:write');
    const write = await call(operator, 'POST', '/v5/experiments/layers', { key: 'nope' }, readOnly);
    expect(write.statusCode).toBe(403);
    expect(write.json()).toEqual({
      code: 3,
      message: 'Not authorized: this operation needs the scope experiments:write.',
    });
    const noRead = await call(operator, 'GET', '/v5/experiments', undefined, ['pins:read']);
    expect(noRead.statusCode).toBe(403);
    expect((await call(operator, 'GET', '/v5/experiments', undefined, readOnly)).statusCode).toBe(200);

    for (const [method, url, body] of [
      ['GET', '/v5/experiments'],
      ['GET', '/v5/experiments/layers'],
      ['POST', '/v5/experiments/layers', { key: 'sneaky' }],
      [
        'POST',
        '/v5/experiments/flags',
        {
          key: 'sneaky',
          value: { type: 'boolean', value: true },
          default_value: { type: 'boolean', value: false },
        },
      ],
    ] as const) {
      const res = await call(stranger, method, url, body);
      expect(res.statusCode, url).toBe(403);
      expect(res.json().message).toMatch(/EXPERIMENT_ADMINS/);
    }
    expect((await as('GET', '/v5/experiments/layers/sneaky')).statusCode).toBe(404);
  });
});

describe('flags and layers', () => {
  it('flags: create, start, roll out, stop, with type checks and an audit log', async () => {
    const body = {
      key: 'new-closeup',
      description: 'The new close-up page',
      owner: 'pins team',
      rollout: 1000,
      value: { type: 'boolean', value: true },
      default_value: { type: 'boolean', value: false },
      targeting: { audience: 'returning', allow_list: ['42'] },
    };
    const made = await as('POST', '/v5/experiments/flags', body);
    expect(made.statusCode, made.body).toBe(201);
    expect(made.json()).toMatchObject({ ...body, status: 'draft', version: 1 });
    const mixed = await as('PATCH', '/v5/experiments/flags/new-closeup', {
      value: { type: 'string', value: 'on' },
    });
    expect(mixed.statusCode).toBe(400);
    expect(mixed.json().message).toBe('flag new-closeup: value and default differ in type');
    expect((await as('POST', '/v5/experiments/flags/new-closeup/start')).json().status).toBe('running');
    const flags = await app.product.experiments.runningFlags();
    expect(flags.find((f) => f.definition.key === 'new-closeup')?.running).toBe(true);
    expect((await as('PATCH', '/v5/experiments/flags/new-closeup', { rollout: 5000 })).json().rollout).toBe(
      5000,
    );
    expect((await as('DELETE', '/v5/experiments/flags/new-closeup')).statusCode).toBe(409);
    expect((await as('POST', '/v5/experiments/flags/new-closeup/stop')).json().status).toBe('stopped');
    const log = (await as('GET', '/v5/experiments/flags/new-closeup/audit')).json().items;
    expect(log.map((e: { action: string }) => e.action)).toEqual(['create', 'start', 'update', 'stop']);
  });

  it('a layer with experiments cannot be deleted; an empty one can, and its audit stays', async () => {
    await layer('empty');
    expect(
      (await as('PATCH', '/v5/experiments/layers/empty', { description: 'Renamed' })).json(),
    ).toMatchObject({
      description: 'Renamed',
      version: 2,
    });
    expect((await as('DELETE', '/v5/experiments/layers/feed')).statusCode).toBe(409);
    expect((await as('DELETE', '/v5/experiments/layers/empty')).statusCode).toBe(204);
    const log = (await as('GET', '/v5/experiments/layers/empty/audit')).json().items;
    expect(log.map((e: { action: string }) => e.action)).toEqual(['create', 'update', 'delete']);
  });
});

describe('pagination', () => {
  it('pages experiments by key with bookmarks, filters by layer and status, and pages the audit log', async () => {
    await layer('paged');
    for (let i = 0; i < 5; i++) {
      const res = await as('POST', '/v5/experiments', {
        key: `paged-${i}`,
        layer: 'paged',
        buckets: [{ start: i * 100, end: i * 100 + 100 }],
        variants: variants(1, 1),
      });
      expect(res.statusCode, res.body).toBe(201);
    }
    const seen: string[] = [];
    let bookmark: string | null = null;
    let pages = 0;
    do {
      const query: string = `layer=paged&page_size=2${bookmark ? `&bookmark=${encodeURIComponent(bookmark)}` : ''}`;
      const res = await as('GET', `/v5/experiments?${query}`);
      expect(res.statusCode, res.body).toBe(200);
      const page = res.json();
      seen.push(...page.items.map((e: { key: string }) => e.key));
      bookmark = page.bookmark;
      pages++;
    } while (bookmark);
    expect(pages).toBe(3);
    expect(seen).toEqual(['paged-0', 'paged-1', 'paged-2', 'paged-3', 'paged-4']);

    const drafts = (await as('GET', '/v5/experiments?status=running&layer=paged')).json();
    expect(drafts.items).toEqual([]);
    // A bookmark of one list is refused by another.
    const first = (await as('GET', '/v5/experiments?layer=paged&page_size=2')).json();
    expect((await as('GET', `/v5/experiments?page_size=2&bookmark=${first.bookmark}`)).statusCode).toBe(400);

    for (let r = 1; r <= 3; r++) await as('PATCH', '/v5/experiments/paged-0', { ramp: r });
    const a = (await as('GET', '/v5/experiments/paged-0/audit?page_size=3')).json();
    expect(a.items.map((e: { action: string }) => e.action)).toEqual(['create', 'update', 'update']);
    const b = (await as('GET', `/v5/experiments/paged-0/audit?page_size=3&bookmark=${a.bookmark}`)).json();
    expect(b.items.map((e: { after: { ramp: number } }) => e.after.ramp)).toEqual([3]);
    expect(b.bookmark).toBeNull();

    const layers = (await as('GET', '/v5/experiments/layers?page_size=1')).json();
    expect(layers.items).toHaveLength(1);
    expect(layers.bookmark).toEqual(expect.any(String));
  });
});

describe('robustness', () => {
  it('racing creates of one key: one 201, the rest 409, never a 500', async () => {
    await layer('race');
    const results = await Promise.all(
      [0, 1, 2, 3].map(() =>
        as('POST', '/v5/experiments', {
          key: 'raced',
          layer: 'race',
          buckets: [{ start: 0, end: 10 }],
          variants: variants(1, 1),
        }),
      ),
    );
    const codes = results.map((r) => r.statusCode).sort();
    expect(codes[0]).toBe(201);
    expect(codes.slice(1).every((c) => c === 409 || c === 400)).toBe(true);
    expect(codes.filter((c) => c === 201)).toHaveLength(1);
  });

  it('odd values in every body field get a 4xx {code, message}, never a 5xx', async () => {
    await layer('odd');
    const odd: unknown[] = [
      null,
      -1,
      1e300,
      'x'.repeat(5000),
      'nul\u0000',
      {},
      [],
      [{}],
      true,
      '',
      { a: { b: [1] } },
    ];
    const valid = {
      '/v5/experiments': {
        key: 'odd-one',
        layer: 'odd',
        buckets: [{ start: 0, end: 10 }],
        variants: variants(1, 1),
      },
      '/v5/experiments/layers': { key: 'odd-layer' },
      '/v5/experiments/flags': {
        key: 'odd-flag',
        value: { type: 'json', value: { a: 1 } },
        default_value: { type: 'json', value: null },
      },
    } as Record<string, Record<string, unknown>>;
    for (const [url, body] of Object.entries(valid)) {
      for (const field of [...Object.keys(body), 'targeting', 'ramp', 'rollout', 'holdout', 'metrics']) {
        for (const value of odd) {
          const res = await as('POST', url, { ...body, [field]: value });
          expect(
            res.statusCode,
            `${url} ${field}=${JSON.stringify(value)?.slice(0, 40)}: ${res.body}`,
          ).toBeLessThan(500);
          if (res.statusCode >= 400)
            expect(res.json()).toEqual({ code: expect.any(Number), message: expect.any(String) });
          if (res.statusCode === 201) {
            const key = res.json().key;
            expect((await as('DELETE', `${url}/${key}`)).statusCode).toBe(204);
          }
        }
      }
    }
  });
});

describe('serving and operators', () => {
  it('another node sees a change once its refresh interval has passed, recompiling only then', async () => {
    let clock = 1_000_000;
    const other = new DefinitionsService({
      db: app.deps.db,
      bookmarks: app.deps.bookmarks,
      now: () => clock,
      refreshMs: 5_000,
    });
    const first = await other.runningLayers();
    await layer('node');
    const made = await as('POST', '/v5/experiments', {
      key: 'node-exp',
      layer: 'node',
      buckets: [{ start: 0, end: 10_000 }],
      variants: variants(1, 1),
      ramp: 10_000,
    });
    expect(made.statusCode, made.body).toBe(201);
    expect((await as('POST', '/v5/experiments/node-exp/start')).statusCode).toBe(200);
    expect(await other.runningLayers()).toBe(first);
    clock += 5_000;
    const later = await other.runningLayers();
    const node = later.find((l) => l.definition.key === 'node');
    expect(node?.experiments.map((e) => e.definition.key)).toEqual(['node-exp']);
    // Nothing changed since: the next check keeps the compiled layers it has.
    clock += 5_000;
    expect(await other.runningLayers()).toBe(later);
  });

  it('operators are named by user id or username, case-insensitively; nobody else', async () => {
    const byId = await makeUser(app);
    const operators = new ExperimentOperators(app.deps.db, [byId.id, OPERATOR.toUpperCase(), 'nobody-here']);
    const none = new ExperimentOperators(app.deps.db, []);
    const cases: [ExperimentOperators, TestUser, boolean][] = [
      [operators, byId, true],
      [operators, operator, true],
      [operators, stranger, false],
      [none, operator, false],
      [none, byId, false],
    ];
    for (const [policy, user, allowed] of cases) {
      const result = policy.require(user.id);
      if (allowed) await expect(result).resolves.toBe(`user:${user.id}`);
      else await expect(result).rejects.toThrow(/EXPERIMENT_ADMINS/);
    }
  });
});
