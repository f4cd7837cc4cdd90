import type { BucketRange, Experiment, Layer } from './types.js';

/** The verdict on an edit of a definition. */
export type ChangeCheck =
  | {
      readonly allowed: true;
      /** True when the salt changed on an experiment that had run: everyone is drawn afresh. */
      readonly restart: boolean;
      /** What the edit does to people already assigned, for the audit log and the API's answer. */
      readonly notes: readonly string[];
    }
  | { readonly allowed: false; readonly reason: string };

const sameRanges = (a: readonly BucketRange[], b: readonly BucketRange[]) =>
  a.length === b.length && a.every((r, i) => r.start === b[i]!.start && r.end === b[i]!.end);

const RESTART = 'restart the experiment with a new salt to change it (everyone is then assigned afresh)';

/**
 * Whether `after` may replace `before`. A draft may change in any way. Once an experiment has run
 * (running, or stopped: a stopped one may be resumed, and an edit made while it is stopped would then
 * apply to people assigned before), what decides who is in which variant may not change under the same
 * salt, because people already assigned would move between variants and the results would mix two
 * allocations: the variants (keys, order, weights), the layer and its bucket ranges. A new salt is a
 * restart and allows anything. Ramp, targeting, parameters and status may change without one: raising
 * the ramp only adds people, lowering it only removes some, and each keeps their variant.
 */
export function checkChange(before: Experiment, after: Experiment): ChangeCheck {
  if (before.key !== after.key)
    return { allowed: false, reason: `the key cannot change (${before.key} → ${after.key})` };
  const notes: string[] = [];
  if (before.status === 'draft') return { allowed: true, restart: false, notes };
  if (before.salt !== after.salt) {
    notes.push(`salt changed: a restart, every unit is assigned afresh and results start again`);
    return { allowed: true, restart: true, notes };
  }
  const bv = before.variants;
  const av = after.variants;
  if (bv.length !== av.length || bv.some((v, i) => v.key !== av[i]!.key))
    return {
      allowed: false,
      reason: `variants were added, removed or reordered on a started experiment; ${RESTART}`,
    };
  const changed = bv.filter((v, i) => v.weight !== av[i]!.weight);
  if (changed.length > 0) {
    const list = changed.map((v) => `${v.key} ${v.weight} → ${av[bv.indexOf(v)]!.weight}`).join(', ');
    return {
      allowed: false,
      reason: `weights changed on a started experiment (${list}): people already in a variant would move to another; ${RESTART}`,
    };
  }
  if (before.layer !== after.layer)
    return { allowed: false, reason: `the layer changed (${before.layer} → ${after.layer}); ${RESTART}` };
  if (!sameRanges(before.buckets, after.buckets))
    return {
      allowed: false,
      reason: `the bucket allocation changed on a started experiment: people would enter or leave by their layer bucket; ${RESTART}`,
    };
  if (after.ramp > before.ramp) notes.push(`ramp ${before.ramp} → ${after.ramp} bp: adds units, none moves`);
  if (after.ramp < before.ramp)
    notes.push(
      `ramp ${before.ramp} → ${after.ramp} bp: removes units; raised again, they return to their variant`,
    );
  if (JSON.stringify(before.targeting) !== JSON.stringify(after.targeting))
    notes.push('targeting changed: units enter or leave, none moves between variants');
  if (bv.some((v, i) => JSON.stringify(v.params) !== JSON.stringify(av[i]!.params)))
    notes.push('parameters changed: the treatment differs from this point on; compare dates in the analysis');
  if (before.status !== after.status) notes.push(`status ${before.status} → ${after.status}`);
  return { allowed: true, restart: false, notes };
}

/**
 * Whether a layer's own fields may change: its salt decides every unit's bucket, so changing it while an
 * experiment of the layer runs would reassign everyone in it; the holdout may not grow into buckets a
 * running experiment owns (validation refuses that overlap too) and may shrink freely.
 */
export function checkLayerChange(before: Layer, after: Layer): ChangeCheck {
  if (before.key !== after.key)
    return { allowed: false, reason: `the key cannot change (${before.key} → ${after.key})` };
  const running = after.experiments.filter((e) => e.status === 'running').map((e) => e.key);
  if (before.salt !== after.salt && running.length > 0)
    return {
      allowed: false,
      reason: `the layer salt changed while ${running.join(', ')} run: every unit would change bucket; stop them first`,
    };
  const notes: string[] = [];
  if (before.holdout !== after.holdout) {
    const taken = after.experiments.filter(
      (e) => e.status === 'running' && e.buckets.some((r) => r.start < after.holdout),
    );
    if (taken.length > 0)
      return {
        allowed: false,
        reason: `the holdout would take buckets of ${taken.map((e) => e.key).join(', ')}`,
      };
    notes.push(`holdout ${before.holdout} → ${after.holdout} bp`);
  }
  return { allowed: true, restart: false, notes };
}
