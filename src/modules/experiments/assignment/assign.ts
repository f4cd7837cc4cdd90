import type { CompiledExperiment, CompiledFlag, CompiledLayer } from './compile.js';
import { BUCKETS, UnitKey } from './hash.js';
import type { Assignment, Param, Unit } from './types.js';

/**
 * The variant of a unit that is in the experiment: the first i with h·W < cum_i·2^32, h the unit's
 * variant hash (32 bits). Independent of the ramp hash, so ramping never moves anyone between variants.
 */
function variantOf(key: UnitKey, e: CompiledExperiment): Assignment {
  const hw = key.hash(e.variantSeed) * e.totalWeight;
  const bounds = e.bounds;
  let i = 0;
  while (i < bounds.length - 1 && hw >= bounds[i]!) i++;
  return e.assignments[i]!;
}

/**
 * A unit's experiment and variant in one layer, or null. In order: an allow-listed unit gets its
 * experiment; otherwise bucket = hash(layer salt, unit) mod 10,000 picks the slot (holdout, free, or an
 * experiment's range), then the experiment's targeting, then its ramp (hash(experiment salt, unit) mod
 * 10,000 < ramp), then the variant. A unit whose bucket is an experiment's but who fails its targeting or
 * ramp gets nothing in the layer: it does not fall through to another experiment, so no experiment's
 * population depends on another's rules.
 */
export function assignInLayer(key: UnitKey, unit: Unit, layer: CompiledLayer): Assignment | null {
  if (layer.allowed.size > 0) {
    const forced = layer.allowed.get(unit.id);
    if (forced !== undefined) return variantOf(key, layer.experiments[forced]!);
  }
  const slot = layer.slots[key.hash(layer.seed) % BUCKETS]!;
  if (slot < 0) return null;
  const e = layer.experiments[slot]!;
  if (!e.targeting.matches(unit.attributes)) return null;
  if (key.hash(e.rampSeed) % BUCKETS >= e.ramp) return null;
  return variantOf(key, e);
}

/**
 * Every running experiment the unit is in, at most one per layer, in layer order. An experiment not in
 * the list has no variant for the unit (its code reads the defaults). The unit id is hashed once into a
 * {@link UnitKey}; each layer then costs one to three seeded hashes and a table lookup.
 */
export function assignAll(unit: Unit, layers: readonly CompiledLayer[]): Assignment[] {
  const key = new UnitKey(unit.id);
  const out: Assignment[] = [];
  for (let i = 0; i < layers.length; i++) {
    const a = assignInLayer(key, unit, layers[i]!);
    if (a !== null) out.push(a);
  }
  return out;
}

/** The unit's variant in one experiment of the layer, or null when it is not in it. */
export function assignExperiment(unit: Unit, layer: CompiledLayer, experimentKey: string): Assignment | null {
  const a = assignInLayer(new UnitKey(unit.id), unit, layer);
  return a !== null && a.experiment === experimentKey ? a : null;
}

/**
 * A flag's value for a unit: `value` when the flag is running and the unit is allow-listed, or passes
 * the targeting with hash(flag salt, unit) mod 10,000 < rollout; `defaultValue` otherwise.
 */
export function evaluateFlag(unit: Unit, flag: CompiledFlag): Param {
  if (!flag.running) return flag.defaultValue;
  if (flag.targeting.allowList?.has(unit.id)) return flag.value;
  if (!flag.targeting.matches(unit.attributes)) return flag.defaultValue;
  return new UnitKey(unit.id).hash(flag.seed) % BUCKETS < flag.rollout ? flag.value : flag.defaultValue;
}
