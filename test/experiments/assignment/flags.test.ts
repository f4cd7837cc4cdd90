import { describe, expect, it } from 'vitest';
import { compileFlag, evaluateFlag } from '../../../src/modules/experiments/assignment/index.js';
import { srmTest } from '../../../src/modules/experiments/stats/index.js';
import { figure } from './chi-square.js';
import { makeFlag, makeUnits } from './factories.js';

const units = makeUnits(20_000, 3);
const on = (rollout: number, over = {}) => {
  const flag = compileFlag(makeFlag({ key: 'new-editor', rollout, ...over }));
  return units.map((u) => evaluateFlag(u, flag).value === true);
};

describe('feature flags', () => {
  it('turns the flag on for its rollout share and never turns anyone off when the rollout grows', () => {
    const steps = [100, 1000, 3000, 10_000].map((r) => ({ r, on: on(r) }));
    let turnedOff = 0;
    for (let s = 1; s < steps.length; s++)
      for (let i = 0; i < units.length; i++) if (steps[s - 1]!.on[i] && !steps[s]!.on[i]) turnedOff++;
    const shares = steps.map(({ r, on }) => {
      const n = on.filter(Boolean).length;
      return {
        r,
        n,
        p: r === 10_000 ? Number(n === units.length) : srmTest([n, units.length - n], [r, 10_000 - r]).pValue,
      };
    });
    figure('flag rollout', shares);
    expect(turnedOff).toBe(0);
    for (const s of shares) expect(s.p).toBeGreaterThan(0.001);
  });

  it('gives the default when stopped, outside the targeting, and the value to the allow-list', () => {
    expect(on(10_000, { status: 'stopped' }).some(Boolean)).toBe(false);
    expect(on(10_000, { status: 'draft' }).some(Boolean)).toBe(false);
    expect(on(10_000, { targeting: { countries: ['US'] } }).some(Boolean)).toBe(false);
    const allowed = on(0, { targeting: { countries: ['US'], allowList: [units[5]!.id] } });
    expect(allowed.filter(Boolean)).toHaveLength(1);
    expect(allowed[5]).toBe(true);
  });

  it('carries typed values', () => {
    const flag = compileFlag(
      makeFlag({
        key: 'blend',
        value: { type: 'json', value: { organic: 0.7, fresh: 0.3 } },
        defaultValue: { type: 'json', value: { organic: 0.8, fresh: 0.2 } },
      }),
    );
    expect(evaluateFlag(units[0]!, flag)).toEqual({ type: 'json', value: { organic: 0.7, fresh: 0.3 } });
  });

  it('refuses a flag whose value and default differ in type', () => {
    expect(() =>
      compileFlag(
        makeFlag({
          key: 'x',
          value: { type: 'number', value: 1 },
          defaultValue: { type: 'string', value: 'a' },
        }),
      ),
    ).toThrow(/differ in type/);
  });
});
