import { BUCKETS } from './hash.js';
import type { Experiment, FeatureFlag, Layer, Param, Targeting } from './types.js';

/** The most a variant's weights may add up to, so the variant choice stays exact in doubles. */
export const MAX_TOTAL_WEIGHT = 1_000_000;

const isShare = (n: number) => Number.isInteger(n) && n >= 0 && n <= BUCKETS;

function paramProblem(p: Param): string | null {
  switch (p.type) {
    case 'string':
      return typeof p.value === 'string' ? null : 'is not a string';
    case 'number':
      return typeof p.value === 'number' && Number.isFinite(p.value) ? null : 'is not a finite number';
    case 'boolean':
      return typeof p.value === 'boolean' ? null : 'is not a boolean';
    case 'json':
      return p.value === undefined ? 'has no value' : null;
    default:
      return 'has an unknown type';
  }
}

function targetingProblems(where: string, t: Targeting): string[] {
  const out: string[] = [];
  if (t.audience !== undefined && t.audience !== 'new' && t.audience !== 'returning')
    out.push(`${where}: audience must be 'new' or 'returning'`);
  for (const c of t.countries ?? [])
    if (!/^[A-Za-z]{2}$/.test(c)) out.push(`${where}: country ${JSON.stringify(c)} is not a two-letter code`);
  for (const l of t.locales ?? [])
    if (!/^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$/.test(l))
      out.push(`${where}: locale ${JSON.stringify(l)} is not a language tag`);
  return out;
}

/** What is wrong with one experiment on its own (empty when nothing is). */
export function experimentProblems(e: Experiment): string[] {
  const at = `experiment ${e.key}`;
  const out: string[] = [];
  if (!e.key) out.push('an experiment has no key');
  if (!e.salt) out.push(`${at}: salt is empty`);
  if (!isShare(e.ramp)) out.push(`${at}: ramp must be an integer from 0 to ${BUCKETS}`);
  if (!['draft', 'running', 'stopped'].includes(e.status)) out.push(`${at}: unknown status ${e.status}`);
  if (e.variants.length === 0) out.push(`${at}: has no variants`);
  const keys = new Set<string>();
  let total = 0;
  for (const v of e.variants) {
    if (keys.has(v.key)) out.push(`${at}: variant ${v.key} appears twice`);
    keys.add(v.key);
    if (!Number.isInteger(v.weight) || v.weight < 0)
      out.push(`${at}: variant ${v.key} weight must be a non-negative integer`);
    else total += v.weight;
    for (const [name, p] of Object.entries(v.params)) {
      const problem = paramProblem(p);
      if (problem) out.push(`${at}: variant ${v.key} parameter ${name} ${problem}`);
    }
  }
  if (e.variants.length > 0 && total === 0) out.push(`${at}: weights add up to 0`);
  if (total > MAX_TOTAL_WEIGHT) out.push(`${at}: weights add up to more than ${MAX_TOTAL_WEIGHT}`);
  for (const r of e.buckets)
    if (
      !Number.isInteger(r.start) ||
      !Number.isInteger(r.end) ||
      r.start < 0 ||
      r.end > BUCKETS ||
      r.start >= r.end
    )
      out.push(`${at}: bucket range [${r.start}, ${r.end}) is not within [0, ${BUCKETS}) or is empty`);
  out.push(...targetingProblems(at, e.targeting));
  return out;
}

/**
 * What is wrong with a layer (empty when nothing is): its own fields, each experiment's, experiments
 * that claim the holdout's or each other's buckets, an experiment naming another layer, and a unit
 * allow-listed in two experiments of the layer.
 */
export function layerProblems(layer: Layer): string[] {
  const out: string[] = [];
  const at = `layer ${layer.key}`;
  if (!layer.key) out.push('a layer has no key');
  if (!layer.salt) out.push(`${at}: salt is empty`);
  if (!isShare(layer.holdout)) out.push(`${at}: holdout must be an integer from 0 to ${BUCKETS}`);
  const owner = new Map<number, string>();
  const allowed = new Map<string, string>();
  const keys = new Set<string>();
  for (const e of layer.experiments) {
    out.push(...experimentProblems(e));
    if (keys.has(e.key)) out.push(`${at}: experiment ${e.key} appears twice`);
    keys.add(e.key);
    if (e.layer !== layer.key) out.push(`experiment ${e.key} names layer ${e.layer}, not ${layer.key}`);
    for (const r of e.buckets) {
      if (r.start < layer.holdout)
        out.push(`experiment ${e.key}: buckets from ${r.start} overlap the holdout`);
      for (let b = Math.max(0, r.start); b < Math.min(BUCKETS, r.end); b++) {
        const other = owner.get(b);
        if (other !== undefined && other !== e.key) {
          out.push(`experiment ${e.key}: bucket ${b} is also experiment ${other}'s`);
          break;
        }
        owner.set(b, e.key);
      }
    }
    for (const id of e.targeting.allowList ?? []) {
      const other = allowed.get(id);
      if (other !== undefined && other !== e.key)
        out.push(`${at}: unit ${id} is allow-listed in both ${other} and ${e.key}`);
      allowed.set(id, e.key);
    }
  }
  return out;
}

/** Problems of a set of layers: each layer's, and salts used twice (their hashes would be correlated). */
export function layersProblems(layers: readonly Layer[]): string[] {
  const out: string[] = [];
  const salts = new Map<string, string>();
  const experiments = new Set<string>();
  const claim = (salt: string, who: string) => {
    const other = salts.get(salt);
    if (other !== undefined) out.push(`${who} uses the salt of ${other}`);
    else salts.set(salt, who);
  };
  for (const layer of layers) {
    out.push(...layerProblems(layer));
    claim(layer.salt, `layer ${layer.key}`);
    for (const e of layer.experiments) {
      if (experiments.has(e.key)) out.push(`experiment ${e.key} is in two layers`);
      experiments.add(e.key);
      claim(e.salt, `experiment ${e.key}`);
    }
  }
  return out;
}

/** What is wrong with a feature flag (empty when nothing is). */
export function flagProblems(f: FeatureFlag): string[] {
  const at = `flag ${f.key}`;
  const out: string[] = [];
  if (!f.key) out.push('a flag has no key');
  if (!f.salt) out.push(`${at}: salt is empty`);
  if (!isShare(f.rollout)) out.push(`${at}: rollout must be an integer from 0 to ${BUCKETS}`);
  if (!['draft', 'running', 'stopped'].includes(f.status)) out.push(`${at}: unknown status ${f.status}`);
  const v = paramProblem(f.value);
  if (v) out.push(`${at}: value ${v}`);
  const d = paramProblem(f.defaultValue);
  if (d) out.push(`${at}: default ${d}`);
  if (!v && !d && f.value.type !== f.defaultValue.type) out.push(`${at}: value and default differ in type`);
  out.push(...targetingProblems(at, f.targeting));
  return out;
}
