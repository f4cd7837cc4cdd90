import { describe, expect, it } from 'vitest';
import {
  type ChangeCheck,
  checkChange,
  checkLayerChange,
  compileLayer,
  compileLayers,
  type Experiment,
} from '../../../src/modules/experiments/assignment/index.js';
import { makeExperiment, makeLayer, makeVariants } from './factories.js';

const running = makeExperiment({ key: 'blend', weights: [50, 50], ramp: 100 });
const refused = (c: ChangeCheck) => (c.allowed ? null : c.reason);

describe('checkChange on a running experiment', () => {
  it('refuses a weight change, saying to restart with a new salt', () => {
    const c = checkChange(running, { ...running, variants: makeVariants([40, 60]) });
    expect(c.allowed).toBe(false);
    expect(refused(c)).toMatch(/weights changed.*v0 50 → 40.*restart the experiment with a new salt/);
  });

  it('refuses adding, removing or reordering variants', () => {
    expect(checkChange(running, { ...running, variants: makeVariants([50, 50, 10]) }).allowed).toBe(false);
    expect(checkChange(running, { ...running, variants: [...running.variants].reverse() }).allowed).toBe(
      false,
    );
  });

  it('refuses a reallocation of layer buckets or a move to another layer under the same salt', () => {
    const c = checkChange(running, { ...running, buckets: [{ start: 0, end: 5000 }] });
    expect(refused(c)).toMatch(/bucket allocation changed.*new salt/);
    expect(refused(checkChange(running, { ...running, layer: 'other' }))).toMatch(/layer changed/);
  });

  it('allows ramping up and down, noting what each does', () => {
    const up = checkChange(running, { ...running, ramp: 5000 });
    expect(up).toEqual({
      allowed: true,
      restart: false,
      notes: [expect.stringMatching(/adds units, none moves/)],
    });
    const down = checkChange({ ...running, ramp: 5000 }, { ...running, ramp: 1000 });
    expect(down.allowed && down.notes[0]).toMatch(/removes units/);
  });

  it('allows targeting, parameter and status changes, with notes', () => {
    const c = checkChange(running, {
      ...running,
      targeting: { countries: ['US'] },
      variants: running.variants.map((v) => ({ ...v, params: { arm: { type: 'number', value: 9 } } })),
      status: 'stopped',
    });
    expect(c.allowed).toBe(true);
    expect(c.allowed && c.notes.join(' ')).toMatch(
      /targeting changed.*parameters changed.*status running → stopped/,
    );
  });

  it('allows any change with a new salt, as a restart', () => {
    const c = checkChange(running, {
      ...running,
      salt: 'blend-salt-2',
      variants: makeVariants([10, 90]),
      buckets: [{ start: 0, end: 2000 }],
    });
    expect(c).toMatchObject({ allowed: true, restart: true });
  });

  it('refuses a change of key', () => {
    expect(checkChange(running, { ...running, key: 'other' }).allowed).toBe(false);
  });
});

describe('checkChange before and after running', () => {
  it('lets a draft change anything', () => {
    const draft: Experiment = { ...running, status: 'draft' };
    expect(checkChange(draft, { ...draft, variants: makeVariants([1, 9]) })).toMatchObject({ allowed: true });
  });

  it('refuses new weights on a stopped experiment under the same salt, resumed or not', () => {
    const stopped: Experiment = { ...running, status: 'stopped' };
    expect(
      checkChange(stopped, { ...stopped, status: 'running', variants: makeVariants([1, 9]) }).allowed,
    ).toBe(false);
    expect(checkChange(stopped, { ...stopped, status: 'running' }).allowed).toBe(true);
    // Nor edited while stopped and resumed later: the edit would apply to the people assigned before.
    expect(checkChange(stopped, { ...stopped, variants: makeVariants([1, 9]) }).allowed).toBe(false);
  });
});

describe('checkLayerChange', () => {
  const layer = makeLayer(
    'feed',
    [makeExperiment({ key: 'e', buckets: [{ start: 1000, end: 10_000 }] })],
    500,
  );

  it('refuses a new layer salt while an experiment of it runs, and allows it when none does', () => {
    expect(refused(checkLayerChange(layer, { ...layer, salt: 'feed-2' }))).toMatch(
      /layer salt changed while e run/,
    );
    const idle = {
      ...layer,
      experiments: layer.experiments.map((e) => ({ ...e, status: 'stopped' as const })),
    };
    expect(checkLayerChange(idle, { ...idle, salt: 'feed-2' }).allowed).toBe(true);
  });

  it('refuses a holdout that takes a running experiment’s buckets, allows one that does not', () => {
    expect(refused(checkLayerChange(layer, { ...layer, holdout: 2000 }))).toMatch(/would take buckets of e/);
    expect(checkLayerChange(layer, { ...layer, holdout: 1000 }).allowed).toBe(true);
    expect(checkLayerChange(layer, { ...layer, holdout: 0 }).allowed).toBe(true);
  });
});

describe('validation', () => {
  it('refuses overlapping experiments, a range in the holdout, bad weights, ramps and duplicate allow-lists', () => {
    const bad = makeLayer(
      'layer',
      [
        makeExperiment({ key: 'a', buckets: [{ start: 0, end: 6000 }], targeting: { allowList: ['u1'] } }),
        makeExperiment({
          key: 'b',
          buckets: [{ start: 5000, end: 10_000 }],
          targeting: { allowList: ['u1'] },
        }),
        makeExperiment({ key: 'c', buckets: [], weights: [0, 0], ramp: 10_001 }),
        makeExperiment({ key: 'd', buckets: [], weights: [1.5, 1] }),
      ],
      100,
    );
    let message = '';
    try {
      compileLayer(bad);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('experiment a: buckets from 0 overlap the holdout');
    expect(message).toContain("experiment b: bucket 5000 is also experiment a's");
    expect(message).toContain('unit u1 is allow-listed in both a and b');
    expect(message).toContain('experiment c: weights add up to 0');
    expect(message).toContain('experiment c: ramp must be an integer');
    expect(message).toContain('experiment d: variant v0 weight must be a non-negative integer');
  });

  it('refuses a salt used twice across layers (the two hashes would be one)', () => {
    const a = makeLayer('a', [makeExperiment({ key: 'x', salt: 'same' })]);
    const b = makeLayer('b', [makeExperiment({ key: 'y', salt: 'same' })]);
    expect(() => compileLayers([a, b])).toThrow(/experiment y uses the salt of experiment x/);
  });

  it('compiles draft and stopped experiments into no buckets', () => {
    const layer = compileLayer(makeLayer('l', [makeExperiment({ key: 'x', status: 'draft' })]));
    expect(layer.experiments).toHaveLength(0);
    expect(layer.slots.every((s) => s < 0)).toBe(true);
  });
});
