import type {
  BucketRange,
  Experiment,
  FeatureFlag,
  Layer,
  Targeting,
  Unit,
  UnitAttributes,
  Variant,
} from '../../../src/modules/experiments/assignment/index.js';
import { BUCKETS } from '../../../src/modules/experiments/assignment/index.js';
import { prng as rng } from '../../helpers/prng.js';

/** Variants named v0, v1, ... with these weights and a number parameter `arm` = the index. */
export function makeVariants(weights: readonly number[]): Variant[] {
  return weights.map((weight, i) => ({
    key: `v${i}`,
    weight,
    params: { arm: { type: 'number', value: i } },
  }));
}

/** A running experiment at 100% over the whole layer unless told otherwise; salt `<key>-salt`. */
export function makeExperiment(
  over: Partial<Omit<Experiment, 'variants'>> & { key: string; weights?: readonly number[] },
): Experiment {
  const { weights = [1, 1], ...rest } = over;
  return {
    salt: `${over.key}-salt`,
    layer: 'layer',
    buckets: [{ start: 0, end: BUCKETS }],
    variants: makeVariants(weights),
    targeting: {},
    ramp: BUCKETS,
    status: 'running',
    ...rest,
  };
}

/** A layer holding `experiments` (their `layer` field set to its key); salt `<key>-salt`. */
export function makeLayer(key: string, experiments: readonly Experiment[], holdout = 0): Layer {
  return { key, salt: `${key}-salt`, holdout, experiments: experiments.map((e) => ({ ...e, layer: key })) };
}

/** `count` equal consecutive ranges splitting [from, 10,000). */
export function splitBuckets(from: number, count: number): BucketRange[] {
  const size = Math.floor((BUCKETS - from) / count);
  return Array.from({ length: count }, (_, i) => ({
    start: from + i * size,
    end: i === count - 1 ? BUCKETS : from + (i + 1) * size,
  }));
}

/** A running flag at 100% with a boolean value, default false. */
export function makeFlag(over: Partial<FeatureFlag> & { key: string }): FeatureFlag {
  return {
    salt: `${over.key}-salt`,
    rollout: BUCKETS,
    value: { type: 'boolean', value: true },
    defaultValue: { type: 'boolean', value: false },
    targeting: {} as Targeting,
    status: 'running',
    ...over,
  };
}

/** Corkboard user ids (shard 1, type user) with consecutive local ids: the realistic worst case for a hash. */
const USER_ID_BASE = (1n << 46n) | (1n << 36n);

/**
 * `count` units: nine in ten signed-in users with consecutive ids from `first`, one in ten signed-out
 * devices with a random-looking hex id. Deterministic.
 */
export function makeUnits(count: number, first = 1, attributes: UnitAttributes = {}): Unit[] {
  const rand = rng(first);
  const units: Unit[] = [];
  for (let i = 0; i < count; i++) {
    const id =
      i % 10 === 9
        ? `d-${Math.floor(rand() * 2 ** 32).toString(16)}${Math.floor(rand() * 2 ** 32).toString(16)}`
        : String(USER_ID_BASE + BigInt(first + i));
    units.push({ id, attributes });
  }
  return units;
}
