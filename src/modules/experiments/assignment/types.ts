/**
 * What assignment needs to know about layers, experiments, flags and the unit being assigned. Plain
 * readonly data: the admin API stores it, the engine compiles it (compile.ts) and never mutates it.
 * Shares are basis points of the 10,000 buckets (100 = 1%).
 */

/** Any JSON value, for parameters that are objects or lists. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | readonly JsonValue[]
  | { readonly [k: string]: JsonValue };

/** A typed parameter value: code reading it knows what it gets, and the API can validate an edit. */
export type Param =
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'number'; readonly value: number }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'json'; readonly value: JsonValue };

/** One arm of an experiment. */
export interface Variant {
  readonly key: string;
  /** Integer weight; a variant's share of the included units is weight / Σ weights. 0 turns it off. */
  readonly weight: number;
  readonly params: Readonly<Record<string, Param>>;
}

/** A half-open range [start, end) of a layer's buckets. */
export interface BucketRange {
  readonly start: number;
  readonly end: number;
}

/** The platform a client reports. */
export type Platform = 'web' | 'ios' | 'android' | 'mobile-web';

/**
 * Who may enter. Every rule given must match (AND); a list matches when any of its values does (OR); a
 * rule that is absent or an empty list does not restrict. A unit lacking the attribute a rule asks about
 * does not match it. `allowList` is different: see {@link Experiment.targeting}.
 */
export interface Targeting {
  /** New people only, or returning people only. */
  readonly audience?: 'new' | 'returning';
  /** BCP 47 tags, case-insensitive; a bare language (`en`) matches its regional tags (`en-GB`). */
  readonly locales?: readonly string[];
  /** ISO 3166-1 alpha-2 codes, case-insensitive. */
  readonly countries?: readonly string[];
  readonly platforms?: readonly Platform[];
  /**
   * Unit ids always included, whatever their layer bucket, the holdout, the ramp and the other rules
   * (QA and dogfooding: "put me in this experiment"). Their variant is still their variant hash's, the
   * one they would get if they came in by the ramp. Validation refuses a unit allow-listed in two
   * experiments of one layer, so mutual exclusion still holds.
   */
  readonly allowList?: readonly string[];
}

export type ExperimentStatus = 'draft' | 'running' | 'stopped';

/** An experiment: a share of one layer's buckets split between variants. */
export interface Experiment {
  readonly key: string;
  /** Seeds the ramp and variant hashes; a new salt is a restart in which everyone is drawn afresh. */
  readonly salt: string;
  /** The key of the layer it lives in. */
  readonly layer: string;
  /** The layer buckets it owns: disjoint from the holdout and from every other experiment's. */
  readonly buckets: readonly BucketRange[];
  readonly variants: readonly Variant[];
  readonly targeting: Targeting;
  /** Basis points of its eligible units included, 0..10,000; raising it only adds units. */
  readonly ramp: number;
  readonly status: ExperimentStatus;
}

/** A layer: 10,000 buckets shared by mutually exclusive experiments; layers are independent. */
export interface Layer {
  readonly key: string;
  readonly salt: string;
  /** Buckets [0, holdout) are held out: those units get no experiment of this layer. */
  readonly holdout: number;
  readonly experiments: readonly Experiment[];
}

/**
 * A feature flag: a rollout of one value against a default, outside the layers. A flag is not mutually
 * exclusive with anything (a flag turned on for 30% of people is not an experiment competing for
 * buckets), so it is its own simple type rather than an experiment of one variant: on for a unit iff it
 * is running, the unit passes the targeting (or is allow-listed) and hash(salt, unit) mod 10,000 <
 * rollout. Raising the rollout never turns anyone off.
 */
export interface FeatureFlag {
  readonly key: string;
  readonly salt: string;
  /** Basis points of eligible units that get `value`, 0..10,000. */
  readonly rollout: number;
  readonly value: Param;
  /** What everyone else gets (and everyone, when the flag is not running). */
  readonly defaultValue: Param;
  readonly targeting: Targeting;
  readonly status: ExperimentStatus;
}

/** What Corkboard knows of a person when it assigns them. */
export interface UnitAttributes {
  /** True for a person Corkboard has not seen before (signed up or first seen recently). */
  readonly isNew?: boolean;
  readonly locale?: string;
  readonly country?: string;
  readonly platform?: string;
}

/** The thing assigned: a user id, or a device id for signed-out traffic. */
export interface Unit {
  readonly id: string;
  readonly attributes: UnitAttributes;
}

/** A unit's place in one experiment. Made once per variant when a layer is compiled, and shared. */
export interface Assignment {
  readonly layer: string;
  readonly experiment: string;
  readonly variant: string;
  readonly variantIndex: number;
  readonly params: Readonly<Record<string, Param>>;
}
