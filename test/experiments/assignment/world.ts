import type { Layer, Unit } from '../../../src/modules/experiments/assignment/index.js';
import { makeExperiment, makeLayer, makeUnits, splitBuckets } from './factories.js';

/**
 * Three layers of varied shape (holdouts, several experiments, a partial ramp, targeting), shared by the
 * in-process test and the child process that must assign exactly as it does.
 */
export function world(): Layer[] {
  return [
    makeLayer(
      'feed',
      splitBuckets(500, 3).map((r, i) =>
        makeExperiment({ key: `feed-${i}`, buckets: [r], weights: [1, 1, 2] }),
      ),
      500,
    ),
    makeLayer('ads', [
      makeExperiment({
        key: 'ads-reserve',
        buckets: [{ start: 0, end: 6000 }],
        weights: [50, 50],
        ramp: 3000,
      }),
      makeExperiment({
        key: 'ads-spacing',
        buckets: [{ start: 6000, end: 10_000 }],
        weights: [1, 1, 1, 1],
        targeting: { countries: ['US', 'GB'] },
      }),
    ]),
    makeLayer(
      'search',
      [
        makeExperiment({
          key: 'search-typeahead',
          buckets: [{ start: 1000, end: 10_000 }],
          weights: [9, 1],
          targeting: { platforms: ['ios'] },
        }),
      ],
      1000,
    ),
  ];
}

/** Units with varied attributes: every third in GB, every fifth on iOS. */
export function worldUnits(count: number): Unit[] {
  return makeUnits(count, 1).map((u, i) => ({
    id: u.id,
    attributes: { country: i % 3 === 0 ? 'GB' : 'FR', platform: i % 5 === 0 ? 'ios' : 'web' },
  }));
}

/** One line per unit: the unit id and its `layer:experiment:variant` list, as compared across processes. */
export function describeAssignments(
  id: string,
  got: readonly { experiment: string; variant: string; layer: string }[],
) {
  return `${id} ${got.map((a) => `${a.layer}:${a.experiment}:${a.variant}`).join(',')}`;
}
