import { Invalid } from '../../../platform/errors.js';
import { BUCKETS, HashStream, seedOf } from './hash.js';
import { CompiledTargeting } from './targeting.js';
import type { Assignment, Experiment, FeatureFlag, Layer, Param } from './types.js';
import { flagProblems, layerProblems, layersProblems } from './validate.js';

/** 2^32: a 32-bit hash h falls in variant i iff h·W < cum_i·2^32 (W the total weight), exact in doubles. */
const TWO_32 = 4_294_967_296;

/** Layer slot of a bucket held out. */
export const HOLDOUT_SLOT = -2;
/** Layer slot of a bucket no running experiment owns. */
export const FREE_SLOT = -1;

/** An experiment ready to assign: seeds, the variant boundaries and each variant's shared Assignment. */
export interface CompiledExperiment {
  readonly definition: Experiment;
  readonly rampSeed: number;
  readonly variantSeed: number;
  readonly ramp: number;
  readonly totalWeight: number;
  /** cum_i · 2^32 for each variant i, cum_i the sum of weights up to and including i. */
  readonly bounds: Float64Array;
  readonly assignments: readonly Assignment[];
  readonly targeting: CompiledTargeting;
}

/** A layer ready to assign: its seed and, for each of its 10,000 buckets, which running experiment owns it. */
export interface CompiledLayer {
  readonly definition: Layer;
  readonly seed: number;
  /** Running experiments only; a slot indexes this list. */
  readonly experiments: readonly CompiledExperiment[];
  /** bucket → index into `experiments`, or {@link HOLDOUT_SLOT} / {@link FREE_SLOT}. */
  readonly slots: Int16Array;
  /** Allow-listed unit id → index into `experiments`. */
  readonly allowed: ReadonlyMap<string, number>;
}

/** A running experiment's hashing parameters and shared results; no checks (compileLayer checks). */
export function compileExperiment(e: Experiment): CompiledExperiment {
  const totalWeight = e.variants.reduce((s, v) => s + v.weight, 0);
  const bounds = new Float64Array(e.variants.length);
  let cum = 0;
  const assignments = e.variants.map((v, i) => {
    cum += v.weight;
    bounds[i] = cum * TWO_32;
    return Object.freeze({
      layer: e.layer,
      experiment: e.key,
      variant: v.key,
      variantIndex: i,
      params: v.params,
    });
  });
  return {
    definition: e,
    rampSeed: seedOf(e.salt, HashStream.ramp),
    variantSeed: seedOf(e.salt, HashStream.variant),
    ramp: e.ramp,
    totalWeight,
    bounds,
    assignments,
    targeting: new CompiledTargeting(e.targeting),
  };
}

/** Checks a layer and builds its bucket table; throws Invalid listing every problem. */
export function compileLayer(layer: Layer): CompiledLayer {
  const problems = layerProblems(layer);
  if (problems.length > 0) throw new Invalid(`layer ${layer.key} is not valid: ${problems.join('; ')}`);
  const slots = new Int16Array(BUCKETS).fill(FREE_SLOT);
  slots.fill(HOLDOUT_SLOT, 0, layer.holdout);
  const experiments: CompiledExperiment[] = [];
  const allowed = new Map<string, number>();
  for (const e of layer.experiments) {
    if (e.status !== 'running') continue;
    const index = experiments.length;
    experiments.push(compileExperiment(e));
    for (const r of e.buckets) slots.fill(index, r.start, r.end);
    for (const id of e.targeting.allowList ?? []) allowed.set(id, index);
  }
  return { definition: layer, seed: seedOf(layer.salt, HashStream.layer), experiments, slots, allowed };
}

/** Checks a set of layers together (salts used once, experiments in one layer) and compiles each. */
export function compileLayers(layers: readonly Layer[]): CompiledLayer[] {
  const problems = layersProblems(layers);
  if (problems.length > 0) throw new Invalid(`layers are not valid: ${problems.join('; ')}`);
  return layers.map(compileLayer);
}

/** A flag ready to evaluate. */
export interface CompiledFlag {
  readonly definition: FeatureFlag;
  readonly seed: number;
  readonly running: boolean;
  readonly rollout: number;
  readonly value: Param;
  readonly defaultValue: Param;
  readonly targeting: CompiledTargeting;
}

/** Checks a flag and precomputes its seed and rules; throws Invalid listing every problem. */
export function compileFlag(flag: FeatureFlag): CompiledFlag {
  const problems = flagProblems(flag);
  if (problems.length > 0) throw new Invalid(`flag ${flag.key} is not valid: ${problems.join('; ')}`);
  return {
    definition: flag,
    seed: seedOf(flag.salt, HashStream.flag),
    running: flag.status === 'running',
    rollout: flag.rollout,
    value: flag.value,
    defaultValue: flag.defaultValue,
    targeting: new CompiledTargeting(flag.targeting),
  };
}
