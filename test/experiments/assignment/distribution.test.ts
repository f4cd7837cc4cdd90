import { describe, expect, it } from 'vitest';
import {
  type Assignment,
  assignAll,
  assignInLayer,
  BUCKETS,
  bucketOf,
  compileLayer,
  compileLayers,
  HashStream,
  UnitKey,
} from '../../../src/modules/experiments/assignment/index.js';
import { srmTest } from '../../../src/modules/experiments/stats/index.js';
import { contingency, figure, zeros } from './chi-square.js';
import { makeExperiment, makeLayer, makeUnits, splitBuckets } from './factories.js';

const N = 100_000;
const units = makeUnits(N);
const keys = units.map((u) => new UnitKey(u.id));

describe('balance', () => {
  it('splits 100,000 units 50/25/25 within sampling error (chi-square goodness of fit p > 0.001)', () => {
    const [layer] = compileLayers([makeLayer('layer', [makeExperiment({ key: 'e', weights: [2, 1, 1] })])]);
    const counts = [0, 0, 0];
    for (let i = 0; i < N; i++) counts[assignInLayer(keys[i]!, units[i]!, layer!)!.variantIndex]!++;
    const srm = srmTest(counts, [2, 1, 1]);
    figure('balance 50/25/25', { counts, chi2: srm.statistic, p: srm.pValue });
    expect(counts.reduce((s, c) => s + c)).toBe(N);
    expect(srm.pValue).toBeGreaterThan(0.001);
  });

  it('gives a variant of weight 0 no one, wherever it stands, and carries each variant its parameters', () => {
    const [layer] = compileLayers([
      makeLayer('layer', [makeExperiment({ key: 'z', weights: [0, 3, 0, 1, 0] })]),
    ]);
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 20_000; i++) {
      const a = assignInLayer(keys[i]!, units[i]!, layer!)!;
      counts[a.variantIndex]!++;
      if (a.params.arm?.value !== a.variantIndex) counts[0] = Number.NaN;
    }
    figure('zero weights', counts);
    expect(counts[0]).toBe(0);
    expect(counts[2]).toBe(0);
    expect(counts[4]).toBe(0);
    expect(srmTest(counts, [0, 3, 0, 1, 0]).pValue).toBeGreaterThan(0.001);
  });

  it('spreads layer buckets uniformly (100 groups of 100 buckets, chi-square p > 0.001)', () => {
    const counts = new Array<number>(100).fill(0);
    for (const u of units) counts[Math.floor(bucketOf('layer-salt', u.id, HashStream.layer) / 100)]!++;
    const srm = srmTest(counts, new Array(100).fill(1));
    figure('bucket uniformity', { chi2: srm.statistic, df: srm.df, p: srm.pValue });
    expect(srm.pValue).toBeGreaterThan(0.001);
  });
});

describe('layers', () => {
  it('assigns independently across layers (contingency chi-square of variant in A × variant in B, p > 0.001)', () => {
    const plan = compileLayers([
      makeLayer('a', [makeExperiment({ key: 'ea', weights: [1, 1, 1] })]),
      makeLayer('b', [makeExperiment({ key: 'eb', weights: [2, 1, 1] })]),
    ]);
    const table = zeros(3, 3);
    for (const u of units) {
      const [a, b] = assignAll(u, plan);
      table[a!.variantIndex]![b!.variantIndex]!++;
    }
    const test = contingency(table);
    figure('independence variant A x variant B', { table, ...test });
    expect(test.p).toBeGreaterThan(0.001);
  });

  it('hashes layer buckets independently (10 × 10 deciles of layer A × layer B, p > 0.001)', () => {
    const table = zeros(10, 10);
    for (const u of units) {
      const a = Math.floor(bucketOf('a-salt', u.id, HashStream.layer) / 1000);
      const b = Math.floor(bucketOf('b-salt', u.id, HashStream.layer) / 1000);
      table[a]![b]!++;
    }
    const test = contingency(table);
    figure('independence bucket deciles', test);
    expect(test.p).toBeGreaterThan(0.001);
  });

  it('puts no unit in two experiments of one layer, and each experiment gets its share of the layer', () => {
    // Four experiments on disjoint ranges after a 10% holdout; each compiled alone too, on the same layer
    // salt and ranges, so that the check does not rest on assignAll returning one result per layer.
    const ranges = splitBuckets(1000, 4);
    const experiments = ranges.map((r, i) => makeExperiment({ key: `e${i}`, buckets: [r] }));
    const whole = compileLayer(makeLayer('layer', experiments, 1000));
    const alone = experiments.map((e) => compileLayer(makeLayer('layer', [e], 1000)));
    const counts = [0, 0, 0, 0, 0];
    let inTwo = 0;
    let disagree = 0;
    for (let i = 0; i < N; i++) {
      let found = 0;
      for (const layer of alone) if (assignInLayer(keys[i]!, units[i]!, layer) !== null) found++;
      if (found > 1) inTwo++;
      const a = assignInLayer(keys[i]!, units[i]!, whole);
      counts[a === null ? 4 : Number(a.experiment.slice(1))]!++;
      if (found !== (a === null ? 0 : 1)) disagree++;
    }
    const srm = srmTest(counts, [...ranges.map((r) => r.end - r.start), 1000]);
    figure('mutual exclusion', { inTwo, disagree, counts, p: srm.pValue });
    expect(inTwo).toBe(0);
    expect(disagree).toBe(0);
    expect(srm.pValue).toBeGreaterThan(0.001);
  });

  it('holds out its share (within sampling error) and gives held-out units no experiment of the layer', () => {
    const holdout = 1500;
    const plan = compileLayers([
      makeLayer(
        'layer',
        splitBuckets(holdout, 3).map((r, i) => makeExperiment({ key: `e${i}`, buckets: [r] })),
        holdout,
      ),
      makeLayer('other', [makeExperiment({ key: 'o' })]),
    ]);
    let held = 0;
    let heldAssigned = 0;
    let othersUnassigned = 0;
    let heldInOther = 0;
    for (const u of units) {
      const isHeld = bucketOf('layer-salt', u.id, HashStream.layer) < holdout;
      const got: Assignment[] = assignAll(u, plan);
      const inLayer = got.some((a) => a.layer === 'layer');
      if (isHeld) {
        held++;
        if (inLayer) heldAssigned++;
        if (got.some((a) => a.layer === 'other')) heldInOther++;
      } else if (!inLayer) othersUnassigned++;
    }
    const srm = srmTest([held, N - held], [holdout, BUCKETS - holdout]);
    figure('holdout', { held, share: held / N, p: srm.pValue, heldAssigned, othersUnassigned, heldInOther });
    expect(srm.pValue).toBeGreaterThan(0.001);
    expect(heldAssigned).toBe(0);
    expect(othersUnassigned).toBe(0);
    // The holdout is of one layer: held-out units still take part in the others.
    expect(heldInOther).toBe(held);
  });
});
