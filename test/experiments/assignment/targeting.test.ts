import { describe, expect, it } from 'vitest';
import {
  assignAll,
  CompiledTargeting,
  compileLayer,
  type Targeting,
  type UnitAttributes,
} from '../../../src/modules/experiments/assignment/index.js';
import { makeExperiment, makeLayer, makeUnits } from './factories.js';

describe('targeting rules', () => {
  const CASES: [string, Targeting, UnitAttributes, boolean][] = [
    ['no rules: everyone', {}, {}, true],
    ['new: a new person', { audience: 'new' }, { isNew: true }, true],
    ['new: a returning person', { audience: 'new' }, { isNew: false }, false],
    ['returning: a returning person', { audience: 'returning' }, { isNew: false }, true],
    ['returning: a new person', { audience: 'returning' }, { isNew: true }, false],
    ['audience: unknown newness', { audience: 'new' }, {}, false],
    ['locale: exact tag', { locales: ['en-GB'] }, { locale: 'en-GB' }, true],
    ['locale: case and underscore', { locales: ['en-GB'] }, { locale: 'en_gb' }, true],
    ['locale: bare language matches its regions', { locales: ['en'] }, { locale: 'en-US' }, true],
    ['locale: a region does not match its language', { locales: ['en-GB'] }, { locale: 'en' }, false],
    ['locale: another region', { locales: ['en-GB'] }, { locale: 'en-US' }, false],
    ['locale: another language', { locales: ['en'] }, { locale: 'fr-FR' }, false],
    ['locale: unknown', { locales: ['en'] }, {}, false],
    ['country: listed, any case', { countries: ['US', 'gb'] }, { country: 'GB' }, true],
    ['country: not listed', { countries: ['US'] }, { country: 'FR' }, false],
    ['country: unknown', { countries: ['US'] }, {}, false],
    ['platform: listed', { platforms: ['ios', 'android'] }, { platform: 'android' }, true],
    ['platform: not listed', { platforms: ['ios'] }, { platform: 'web' }, false],
    ['platform: unknown', { platforms: ['ios'] }, {}, false],
    ['empty lists do not restrict', { countries: [], locales: [], platforms: [] }, {}, true],
    [
      'all rules must match',
      { audience: 'new', countries: ['US'], platforms: ['web'] },
      { isNew: true, country: 'US', platform: 'ios' },
      false,
    ],
    [
      'all rules matching',
      { audience: 'new', countries: ['US'], platforms: ['web'], locales: ['en'] },
      { isNew: true, country: 'US', platform: 'web', locale: 'en-US' },
      true,
    ],
  ];
  it.each(CASES)('%s', (_name, rules, attributes, expected) => {
    expect(new CompiledTargeting(rules).matches(attributes)).toBe(expected);
  });

  it('leaves units outside the targeting with nothing in the layer (no fall-through to a neighbour)', () => {
    const layer = compileLayer(
      makeLayer('layer', [
        makeExperiment({ key: 'us', buckets: [{ start: 0, end: 5000 }], targeting: { countries: ['US'] } }),
        makeExperiment({ key: 'all', buckets: [{ start: 5000, end: 10_000 }] }),
      ]),
    );
    const got = makeUnits(2000, 1, { country: 'FR' }).map((u) => assignAll(u, [layer]));
    const inAll = got.filter((a) => a.length === 1).length;
    expect(got.every((a) => a.every((x) => x.experiment === 'all'))).toBe(true);
    // About half the units, the ones whose bucket is `all`'s.
    expect(inAll).toBeGreaterThan(850);
    expect(inAll).toBeLessThan(1150);
  });
});

describe('allow-list', () => {
  const units = makeUnits(200, 1, { country: 'FR' });
  const allowed = units.slice(0, 20).map((u) => u.id);
  // A 20% holdout, the experiment at 0% ramp over a tenth of the layer, targeting no one of these units:
  // only the allow-list can put anyone in.
  const layer = compileLayer(
    makeLayer(
      'layer',
      [
        makeExperiment({
          key: 'qa',
          buckets: [{ start: 2000, end: 3000 }],
          ramp: 0,
          targeting: { countries: ['US'], allowList: allowed },
        }),
        makeExperiment({ key: 'other', buckets: [{ start: 3000, end: 10_000 }] }),
      ],
      2000,
    ),
  );

  it('forces allow-listed units in, bypassing the holdout, the layer bucket, the targeting and the ramp', () => {
    for (const u of units.slice(0, 20))
      expect(assignAll(u, [layer]).map((a) => a.experiment)).toEqual(['qa']);
    for (const u of units.slice(20))
      expect(assignAll(u, [layer]).map((a) => a.experiment)).not.toContain('qa');
  });

  it('gives an allow-listed unit the variant its variant hash gives at 100% ramp', () => {
    const open = compileLayer(
      makeLayer('layer', [makeExperiment({ key: 'qa', buckets: [{ start: 0, end: 10_000 }] })]),
    );
    for (const u of units.slice(0, 20))
      expect(assignAll(u, [layer])[0]!.variant).toBe(assignAll({ ...u, attributes: {} }, [open])[0]!.variant);
  });

  it('does nothing for an experiment that is not running', () => {
    const stopped = compileLayer(
      makeLayer('layer', [
        makeExperiment({ key: 'qa', status: 'stopped', targeting: { allowList: allowed } }),
      ]),
    );
    for (const u of units.slice(0, 20)) expect(assignAll(u, [stopped])).toEqual([]);
  });
});
