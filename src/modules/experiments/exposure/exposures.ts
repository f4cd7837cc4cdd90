import { isDeviceId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logger.js';
import type { Metrics } from '../../../platform/metrics.js';
import type { AppType } from '../../events/index.js';
import {
  type Assignment,
  assignInLayer,
  type CompiledLayer,
  type JsonValue,
  type Param,
  type UnitAttributes,
  UnitKey,
} from '../assignment/index.js';
import type { ExposureBuffer } from './exposure-buffer.js';
import type { TimingBuffer } from './timing-buffer.js';

/** Who parameters are read for: a signed-in user, or a device for signed-out traffic. */
export type ExposureUnit = (
  | { readonly userId: string; readonly deviceId?: undefined }
  | { readonly deviceId: string; readonly userId?: undefined }
) & {
  /** What Corkboard knows of the person, for targeting (absent rules match nothing they ask about). */
  readonly attributes?: UnitAttributes;
  /** The client's app type, recorded with the exposure (default OTHER). */
  readonly appType?: AppType;
};

/** The range a numeric parameter must be in to be used (else the caller's default). */
export interface NumberRange {
  readonly min: number;
  readonly max: number;
  /** Whole numbers only. */
  readonly integer?: boolean;
}

/** Told of a parameter value the caller could not use (wrong type or out of range). */
export type RejectedParam = (what: {
  readonly name: string;
  readonly experiment: string;
  readonly variant: string;
  readonly value: Param;
}) => void;

const USER_ID = /^\d{1,20}$/;

/** A running experiment, its run and the parameter names any of its variants sets. */
interface ParamOwner {
  readonly experiment: string;
  readonly run: string;
  readonly layer: number;
  readonly params: ReadonlySet<string>;
}

/** Per compiled layer list: for each layer, experiment key → the parameters it owns and its run. */
const owners = new WeakMap<readonly CompiledLayer[], Map<string, ParamOwner>>();

function ownersOf(layers: readonly CompiledLayer[]): Map<string, ParamOwner> {
  let map = owners.get(layers);
  if (!map) {
    map = new Map();
    layers.forEach((l, layer) => {
      for (const e of l.experiments) {
        const params = new Set<string>();
        for (const v of e.definition.variants) for (const name of Object.keys(v.params)) params.add(name);
        map!.set(e.definition.key, { experiment: e.definition.key, run: e.definition.salt, layer, params });
      }
    });
    owners.set(layers, map);
  }
  return map;
}

/**
 * The parameters of one unit for the running experiments, resolved once (per request, say). Reading a
 * parameter an experiment the unit is in defines logs an exposure to that experiment (once per unit, run
 * and UTC day); a parameter no experiment of the unit's defines gives the caller's default and logs
 * nothing. Merely holding an ExperimentParams (being bucketed) logs nothing.
 *
 * Each variant of an experiment either sets a parameter or leaves it at the caller's default: a unit
 * in a variant that leaves it unset still reads the default *as part of the experiment*, and is exposed,
 * so every variant's exposures are counted alike (a sample-ratio check depends on it). When experiments
 * of several layers define one name, the first layer's wins (layers should own disjoint names).
 */
export class ExperimentParams {
  constructor(
    private readonly unit: ExposureUnit,
    /** The unit's assignments, at most one per layer, in layer order. */
    readonly assignments: readonly Assignment[],
    private readonly byExperiment: ReadonlyMap<string, ParamOwner>,
    private readonly buffer: ExposureBuffer,
    private readonly now: () => number,
    private readonly rejected: RejectedParam = () => {},
    private readonly timings?: TimingBuffer,
  ) {}

  /**
   * Records a home feed request's server time (ms) for the unit when it is in any running experiment
   * (the feed latency metric reads it: docs/experiments-metrics.md); nothing otherwise. A map update:
   * never waits, never throws. Logs no exposure.
   */
  feedTiming(ms: number): void {
    if (this.assignments.length === 0 || !this.timings) return;
    const unit =
      this.unit.userId !== undefined ? { userId: this.unit.userId } : { deviceId: this.unit.deviceId! };
    this.timings.record(unit, ms);
  }

  /** The typed parameter `name`, or null when no experiment the unit is in defines it (no exposure). */
  param(name: string): Param | null {
    return this.read(name)?.param ?? null;
  }

  /** The assignment whose experiment defines `name` (exposed) and its variant's value; null if none. */
  private read(name: string): { a: Assignment; param: Param | null } | null {
    for (const a of this.assignments) {
      const owner = this.byExperiment.get(a.experiment);
      if (!owner?.params.has(name)) continue;
      this.expose(a, owner);
      return { a, param: a.params[name] ?? null };
    }
    return null;
  }

  /**
   * A number parameter that must lie in `range` (whole, when asked): the experiment's value, or
   * `fallback` when no experiment of the unit's defines it, its variant leaves it unset, or its value is
   * of another type or out of range. A value refused is reported (Exposures reports each once per
   * process); the unit is exposed all the same, since it read the parameter.
   */
  bounded(name: string, fallback: number, range: NumberRange): number {
    const found = this.read(name);
    if (!found?.param) return fallback;
    const p = found.param;
    if (
      p.type === 'number' &&
      Number.isFinite(p.value) &&
      p.value >= range.min &&
      p.value <= range.max &&
      (!range.integer || Number.isInteger(p.value))
    )
      return p.value;
    this.rejected({ name, experiment: found.a.experiment, variant: found.a.variant, value: p });
    return fallback;
  }

  /**
   * Which variants decide these parameters for the unit, as a short text (experiment, run and variant
   * of each assignment whose experiment defines any of them; '' when none): what a cached result made
   * with the parameters is keyed by, so it is made anew when an experiment starts, stops or moves the
   * unit. Reading it logs nothing.
   */
  variantsOf(names: readonly string[]): string {
    let out = '';
    for (const a of this.assignments) {
      const owner = this.byExperiment.get(a.experiment);
      if (!owner || !names.some((n) => owner.params.has(n))) continue;
      out += `${out ? ',' : ''}${a.experiment}:${owner.run}:${a.variant}`;
    }
    return out;
  }

  number(name: string, fallback: number): number {
    const p = this.param(name);
    return p?.type === 'number' ? p.value : fallback;
  }

  string(name: string, fallback: string): string {
    const p = this.param(name);
    return p?.type === 'string' ? p.value : fallback;
  }

  boolean(name: string, fallback: boolean): boolean {
    const p = this.param(name);
    return p?.type === 'boolean' ? p.value : fallback;
  }

  json(name: string, fallback: JsonValue): JsonValue {
    const p = this.param(name);
    return p?.type === 'json' ? p.value : fallback;
  }

  private expose(a: Assignment, owner: ParamOwner): void {
    const unit =
      this.unit.userId !== undefined ? { userId: this.unit.userId } : { deviceId: this.unit.deviceId! };
    this.buffer.log({
      unit,
      experiment: a.experiment,
      run: owner.run,
      variant: a.variant,
      at: new Date(this.now()),
      ...(this.unit.appType && { appType: this.unit.appType }),
    });
  }
}

/** Serving code's door to experiments: `forUnit(unit)` then typed reads, each read logging its exposure. */
export class Exposures {
  /** Values refused already (experiment, run, variant, parameter): each is logged and counted once. */
  private readonly refused = new Set<string>();
  private readonly refusedCount;

  constructor(
    private readonly runningLayers: () => Promise<readonly CompiledLayer[]>,
    private readonly buffer: ExposureBuffer,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
    metrics?: Metrics,
    private readonly timings?: TimingBuffer,
  ) {
    this.refusedCount = metrics?.counter(
      'corkboard_experiment_params_refused_total',
      'Experiment parameter values serving could not use (wrong type or out of range; the default was served), each distinct value once per process, by parameter.',
      ['param'] as const,
    );
  }

  private readonly onRejected: RejectedParam = ({ name, experiment, variant, value }) => {
    const key = `${experiment}\u0000${variant}\u0000${name}\u0000${JSON.stringify(value)}`;
    if (this.refused.has(key)) return;
    if (this.refused.size >= 10_000) this.refused.clear();
    this.refused.add(key);
    this.refusedCount?.inc({ param: name });
    this.log.warn(
      { experiment, variant, param: name, value },
      'experiment parameter value out of range or of the wrong type; serving the default',
    );
  };

  /**
   * Assigns `unit` in every running layer (no exposure yet). A unit id that is not a user id or a
   * device id the event stream takes is in no experiment: every read gives the default, as it does when
   * the definitions cannot be loaded. Never throws.
   */
  async forUnit(unit: ExposureUnit): Promise<ExperimentParams> {
    let layers: readonly CompiledLayer[];
    try {
      layers = await this.runningLayers();
    } catch (err) {
      // Never the caller's failure: without the definitions everyone reads the defaults.
      this.log.warn({ err }, 'running experiments could not be loaded; serving defaults');
      layers = [];
    }
    const map = ownersOf(layers);
    const id = unit.userId ?? unit.deviceId;
    // Device ids as the event stream takes them (the rule of POST /v5/events' `device_id`).
    const valid = unit.userId !== undefined ? USER_ID.test(unit.userId) : isDeviceId(unit.deviceId);
    const assignments: Assignment[] = [];
    if (valid && id !== undefined) {
      const key = new UnitKey(id);
      const u = { id, attributes: unit.attributes ?? {} };
      for (const layer of layers) {
        const a = assignInLayer(key, u, layer);
        if (a !== null) assignments.push(a);
      }
    }
    return new ExperimentParams(unit, assignments, map, this.buffer, this.now, this.onRejected, this.timings);
  }

  /** One parameter for one unit: `forUnit(unit)` and a typed read, for code that reads a single value. */
  async number(unit: ExposureUnit, name: string, fallback: number): Promise<number> {
    return (await this.forUnit(unit)).number(name, fallback);
  }

  /** Writes the exposures and timings waiting (tests, shutdown); never throws. */
  async flush(): Promise<void> {
    await Promise.all([this.buffer.flush(), this.timings?.flush()]);
  }

  /** Flushes and stops logging (shutdown). */
  async close(): Promise<void> {
    await Promise.all([this.buffer.close(), this.timings?.close()]);
  }
}
