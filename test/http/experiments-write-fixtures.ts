import { randomBytes } from 'node:crypto';
import { makeUser, type TestUser } from '../helpers/factories.js';
import type { Call, World } from './write-fixtures.js';

/** The operator the experiments API admits: the walk's app names them in EXPERIMENT_ADMINS. */
export const WALK_OPERATOR = 'walk_operator';

const tag = () => randomBytes(3).toString('hex');

/** The experiments API's write operations (layers, flags, experiments) for the mass-assignment walk. */
export function experimentsWriteFixtures(w: World): Record<string, () => Promise<Call>> {
  const { app } = w;
  const db = app.deps.db;
  let operator: Promise<TestUser> | undefined;
  const headers = async () => {
    operator ??= makeUser(app, WALK_OPERATOR);
    return (await operator).auth();
  };
  const as = async (method: 'POST' | 'PATCH', url: string, payload: object) => {
    const res = await app.http.inject({ method, url, headers: await headers(), payload });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.json();
  };
  // The salt is random hex (it could spell a made-up value) and updated_at is the clock's.
  const layerRow = async (key: string) => ({
    ...(await db
      .selectFrom('experiment_layers')
      .selectAll()
      .where('key', '=', key)
      .executeTakeFirstOrThrow()),
    salt: null,
    updated_at: null,
  });
  const experimentRow = async (key: string) => ({
    ...(await db.selectFrom('experiments').selectAll().where('key', '=', key).executeTakeFirstOrThrow()),
    salt: null,
    updated_at: null,
    started_at: null,
  });
  const flagRow = async (key: string) => ({
    ...(await db.selectFrom('feature_flags').selectAll().where('key', '=', key).executeTakeFirstOrThrow()),
    salt: null,
    updated_at: null,
  });
  const readOnly = {
    salt: 'zz-unknown-value',
    status: 'running',
    version: 4242424242,
    key: 'zz-unknown-value',
  };
  let layer: Promise<string> | undefined;
  /** A layer for the walk's experiments, made once. */
  const layerKey = () => {
    layer ??= as('POST', '/v5/experiments/layers', { key: `walk-${tag()}` }).then((l) => l.key as string);
    return layer;
  };
  let next = 0;
  /** Buckets no other walk experiment holds. */
  const buckets = () => {
    const start = next;
    next += 100;
    return [{ start, end: start + 100 }];
  };
  const variants = (a: number, b: number) => [
    { key: 'control', weight: a, parameters: [{ name: 'size', type: 'number', value: 1 }] },
    { key: 'treatment', weight: b, parameters: [{ name: 'size', type: 'number', value: 2 }] },
  ];
  const experiment = async (start: boolean) => {
    const key = `walk-${tag()}`;
    await as('POST', '/v5/experiments', {
      key,
      layer: await layerKey(),
      buckets: buckets(),
      variants: variants(1, 1),
    });
    if (start) await as('POST', `/v5/experiments/${key}/start`, {});
    return key;
  };
  const flagBody = (key: string) => ({
    key,
    description: 'Walk flag',
    owner: 'walkers',
    rollout: 100,
    value: { type: 'string', value: 'on' },
    default_value: { type: 'string', value: 'off' },
    targeting: { countries: ['FR'] },
  });

  return {
    'POST /v5/experiments/layers': async () => {
      const key = `walk-${tag()}`;
      return {
        url: '/v5/experiments/layers',
        headers: await headers(),
        body: { key, holdout: 100, description: 'd' },
        readOnly,
        state: async () => layerRow(key),
        expected: { key, holdout: 100, description: 'd', version: 1 },
      };
    },
    'PATCH /v5/experiments/layers/{key}': async () => {
      const key = (await as('POST', '/v5/experiments/layers', { key: `walk-${tag()}` })).key as string;
      return {
        url: `/v5/experiments/layers/${key}`,
        headers: await headers(),
        body: { holdout: 50, description: 'Renamed' },
        readOnly,
        state: async () => layerRow(key),
        writable: ['holdout', 'description', 'version'],
        expected: { key, holdout: 50, description: 'Renamed', version: 2 },
      };
    },
    'POST /v5/experiments/flags': async () => {
      const key = `walk-${tag()}`;
      return {
        url: '/v5/experiments/flags',
        headers: await headers(),
        body: flagBody(key),
        readOnly,
        state: async () => flagRow(key),
        expected: {
          key,
          description: 'Walk flag',
          owner: 'walkers',
          rollout: 100,
          status: 'draft',
          value: { type: 'string', value: 'on' },
          default_value: { type: 'string', value: 'off' },
          targeting: { countries: ['FR'] },
        },
      };
    },
    'PATCH /v5/experiments/flags/{key}': async () => {
      const key = (await as('POST', '/v5/experiments/flags', flagBody(`walk-${tag()}`))).key as string;
      return {
        url: `/v5/experiments/flags/${key}`,
        headers: await headers(),
        body: { rollout: 200, owner: 'others', value: { type: 'string', value: 'yes' } },
        readOnly,
        state: async () => flagRow(key),
        writable: ['rollout', 'owner', 'value', 'version'],
        expected: {
          key,
          rollout: 200,
          owner: 'others',
          value: { type: 'string', value: 'yes' },
          status: 'draft',
        },
      };
    },
    'POST /v5/experiments': async () => {
      const key = `walk-${tag()}`;
      const layerName = await layerKey();
      const range = buckets();
      return {
        url: '/v5/experiments',
        headers: await headers(),
        body: {
          key,
          layer: layerName,
          description: 'd',
          hypothesis: 'h',
          owner: 'walkers',
          buckets: range,
          variants: variants(1, 3),
          targeting: { platforms: ['web'], allow_list: ['7'] },
          ramp: 100,
        },
        readOnly,
        state: async () => experimentRow(key),
        expected: {
          key,
          layer: layerName,
          description: 'd',
          hypothesis: 'h',
          owner: 'walkers',
          status: 'draft',
          buckets: range,
          variants: [
            { key: 'control', weight: 1, params: { size: { type: 'number', value: 1 } } },
            { key: 'treatment', weight: 3, params: { size: { type: 'number', value: 2 } } },
          ],
          targeting: { platforms: ['web'], allowList: ['7'] },
          ramp: 100,
          version: 1,
        },
      };
    },
    'PATCH /v5/experiments/{key}': async () => {
      const key = await experiment(true);
      return {
        url: `/v5/experiments/${key}`,
        headers: await headers(),
        body: { ramp: 2500, owner: 'walkers', targeting: { countries: ['DE'] } },
        readOnly,
        state: async () => experimentRow(key),
        writable: ['ramp', 'owner', 'targeting', 'version'],
        expected: { key, ramp: 2500, owner: 'walkers', targeting: { countries: ['DE'] }, status: 'running' },
      };
    },
    'POST /v5/experiments/{key}/restart': async () => {
      const key = await experiment(true);
      return {
        url: `/v5/experiments/${key}/restart`,
        headers: await headers(),
        body: { owner: 'walkers', variants: variants(1, 2) },
        readOnly,
        state: async () => experimentRow(key),
        writable: ['owner', 'variants', 'version'],
        expected: { key, owner: 'walkers', status: 'running', version: 3 },
      };
    },
  };
}
