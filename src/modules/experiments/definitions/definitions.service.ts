import { randomBytes } from 'node:crypto';
import type { Static } from 'typebox';
import type { Bookmarks } from '../../../platform/bookmarks.js';
import type { Db } from '../../../platform/db/database.js';
import { isForeignKeyViolation, isUniqueViolation } from '../../../platform/db/errors.js';
import { Conflict, Invalid, NotFound } from '../../../platform/errors.js';
import {
  type CompiledFlag,
  type CompiledLayer,
  checkChange,
  checkLayerChange,
  compileFlag,
  compileLayer,
  experimentProblems,
  flagProblems,
  type Layer,
  layerProblems,
} from '../assignment/index.js';
import {
  type ExperimentRecord,
  engineExperiment,
  experimentOf,
  type FlagRecord,
  flagOf,
  paramFromApi,
  presentExperiment,
  presentFlag,
  presentLayer,
  rangesFromApi,
  targetingFromApi,
  variantsFromApi,
} from './definitions.presenter.js';
import {
  type AuditRow,
  type ExperimentRow,
  type FlagRow,
  definitionsRepository as repo,
  type Subject,
} from './definitions.repository.js';
import type {
  ExperimentCreate,
  ExperimentListQuery,
  ExperimentUpdate,
  FlagCreate,
  FlagUpdate,
  LayerCreate,
  LayerUpdate,
} from './definitions.schemas.js';

/** Who made a change, as the audit log records it: `user:<id>` (the API) or `cli:<name>`. */
export type Actor = string;

/** Keys the routes under /v5/experiments use as path segments: no experiment may be named so. */
const RESERVED = new Set(['layers', 'flags']);

export interface DefinitionsDeps {
  readonly db: Db;
  readonly bookmarks: Bookmarks;
  /** A fresh salt (random by default; tests may pin it). */
  readonly salt?: () => string;
  readonly now?: () => number;
  /** How long serving code may use the compiled definitions before checking for changes (ms). */
  readonly refreshMs?: number;
}

/** The compiled running definitions serving code assigns with. */
export interface RunningDefinitions {
  readonly layers: readonly CompiledLayer[];
  readonly flags: readonly CompiledFlag[];
}

const json = (v: unknown) => JSON.stringify(v);
const refuse = (problems: string[]) => {
  if (problems.length > 0) throw new Invalid(problems.join('; '));
};

/**
 * Layers, experiments and feature flags: every write is checked by the assignment engine (validate, and
 * checkChange once an experiment has run) and appends its audit entry in the same transaction.
 */
export class DefinitionsService {
  private cached: (RunningDefinitions & { version: string; checkedAt: number }) | undefined;
  private loading: Promise<RunningDefinitions> | undefined;
  private dirty = true;

  constructor(private readonly deps: DefinitionsDeps) {}

  private now(): Date {
    return new Date(this.deps.now?.() ?? Date.now());
  }

  private newSalt(): string {
    return this.deps.salt?.() ?? randomBytes(12).toString('hex');
  }

  private async write<T>(work: (trx: Db) => Promise<T>): Promise<T> {
    try {
      return await this.deps.db.transaction().execute(work);
    } catch (err) {
      // Two writers racing past the existence checks: the constraints decide, the loser hears why.
      if (isUniqueViolation(err)) throw new Conflict('A definition with this key was created meanwhile.');
      if (isForeignKeyViolation(err)) throw new Conflict('The layer changed meanwhile; try again.');
      throw err;
    } finally {
      this.dirty = true;
    }
  }

  private page<T extends { key: string }, I>(scope: string, bookmark: string | undefined) {
    const after = bookmark ? String(this.deps.bookmarks.decode(scope, bookmark)[0]) : undefined;
    return {
      after,
      build: (rows: T[], size: number, map: (r: T) => I) =>
        this.deps.bookmarks.page(scope, rows, size, (last) => [last.key], map),
    };
  }

  // ---- experiments ----

  async listExperiments(q: Static<typeof ExperimentListQuery>) {
    const size = q.page_size ?? 25;
    const p = this.page<ExperimentRow, ReturnType<typeof presentExperiment>>(
      `experiments:${q.status ?? ''}:${q.layer ?? ''}`,
      q.bookmark,
    );
    const rows = await repo.experiments(this.deps.db, q, { after: p.after, limit: size + 1 });
    return p.build(rows, size, presentExperiment);
  }

  async getExperiment(key: string) {
    return presentExperiment(await this.experimentRow(this.deps.db, key));
  }

  private async experimentRow(db: Db, key: string, lock = false): Promise<ExperimentRow> {
    const row = await repo.experiment(db, key, lock);
    if (!row) throw new NotFound(`Experiment ${key} not found.`);
    return row;
  }

  async createExperiment(actor: Actor, body: Static<typeof ExperimentCreate>) {
    if (RESERVED.has(body.key)) throw new Invalid(`key: ${body.key} is reserved.`);
    return this.write(async (trx) => {
      if (await repo.experiment(trx, body.key)) throw new Conflict(`Experiment ${body.key} already exists.`);
      const after: ExperimentRecord = {
        key: body.key,
        layer: body.layer,
        salt: this.newSalt(),
        buckets: rangesFromApi(body.buckets),
        variants: variantsFromApi(body.variants),
        targeting: targetingFromApi(body.targeting),
        ramp: body.ramp ?? 0,
        status: 'draft',
        description: body.description ?? '',
        hypothesis: body.hypothesis ?? '',
        owner: body.owner ?? '',
        startedAt: null,
        stoppedAt: null,
      };
      return this.commitExperiment(trx, actor, 'create', undefined, after);
    });
  }

  async updateExperiment(actor: Actor, key: string, body: Static<typeof ExperimentUpdate>) {
    return this.changeExperiment(actor, key, 'update', (before) => this.applied(before, body));
  }

  async startExperiment(actor: Actor, key: string) {
    return this.changeExperiment(actor, key, 'start', (before) => {
      if (before.status === 'running') throw new Conflict(`Experiment ${key} is already running.`);
      const first = before.status === 'draft';
      return {
        ...before,
        status: 'running',
        startedAt: first ? this.now() : before.startedAt,
        stoppedAt: null,
      };
    });
  }

  async stopExperiment(actor: Actor, key: string) {
    return this.changeExperiment(actor, key, 'stop', (before) => {
      if (before.status !== 'running') throw new Conflict(`Experiment ${key} is not running.`);
      return { ...before, status: 'stopped', stoppedAt: this.now() };
    });
  }

  /** A new salt (everyone drawn afresh), with any changes the running experiment refused, and running. */
  async restartExperiment(actor: Actor, key: string, body: Static<typeof ExperimentUpdate>) {
    return this.changeExperiment(actor, key, 'restart', (before) => {
      if (before.status === 'draft')
        throw new Conflict(
          `Experiment ${key} is a draft: no one is assigned yet, edit and start it instead.`,
        );
      return {
        ...this.applied(before, body),
        salt: this.newSalt(),
        status: 'running',
        startedAt: this.now(),
        stoppedAt: null,
      };
    });
  }

  async deleteExperiment(actor: Actor, key: string): Promise<void> {
    await this.write(async (trx) => {
      const row = await this.experimentRow(trx, key, true);
      if (row.status !== 'draft')
        throw new Conflict(`Experiment ${key} has run: stop it and keep it, so its results stay readable.`);
      await repo.deleteExperiment(trx, key);
      await this.audit(trx, 'experiment', key, 'delete', actor, presentExperiment(row), null, []);
    });
  }

  /** `before` with the documented fields of `body` that are given. */
  private applied(before: ExperimentRecord, body: Static<typeof ExperimentUpdate>): ExperimentRecord {
    return {
      ...before,
      ...(body.description !== undefined && { description: body.description }),
      ...(body.hypothesis !== undefined && { hypothesis: body.hypothesis }),
      ...(body.owner !== undefined && { owner: body.owner }),
      ...(body.buckets !== undefined && { buckets: rangesFromApi(body.buckets) }),
      ...(body.variants !== undefined && { variants: variantsFromApi(body.variants) }),
      ...(body.targeting !== undefined && { targeting: targetingFromApi(body.targeting) }),
      ...(body.ramp !== undefined && { ramp: body.ramp }),
    };
  }

  private async changeExperiment(
    actor: Actor,
    key: string,
    action: string,
    change: (before: ExperimentRecord) => ExperimentRecord,
  ) {
    return this.write(async (trx) => {
      const row = await this.experimentRow(trx, key, true);
      const before = experimentOf(row);
      return this.commitExperiment(trx, actor, action, row, change(before));
    });
  }

  /**
   * Checks `after` against its layer (the layer's experiments that are not stopped: a stopped one
   * releases its buckets, and must find them free to start again) and, for one that has run, against
   * what it was; then stores it and its audit entry.
   */
  private async commitExperiment(
    trx: Db,
    actor: Actor,
    action: string,
    beforeRow: ExperimentRow | undefined,
    after: ExperimentRecord,
  ) {
    const layerRow = await repo.layer(trx, after.layer, true);
    if (!layerRow) throw new Invalid(`layer: layer ${after.layer} does not exist.`);
    const others = (await repo.experiments(trx, { layer: after.layer }))
      .filter((r) => r.key !== after.key && r.status !== 'stopped')
      .map((r) => engineExperiment(experimentOf(r)));
    const candidate = engineExperiment(after);
    const layer: Layer = {
      key: layerRow.key,
      salt: layerRow.salt,
      holdout: layerRow.holdout,
      experiments: after.status === 'stopped' ? others : [...others, candidate],
    };
    refuse([...(after.status === 'stopped' ? experimentProblems(candidate) : []), ...layerProblems(layer)]);
    let notes: readonly string[] = [];
    if (beforeRow) {
      const check = checkChange(engineExperiment(experimentOf(beforeRow)), candidate);
      if (!check.allowed) throw new Conflict(check.reason);
      notes = check.notes;
    }
    const row = await repo.saveExperiment(
      trx,
      {
        key: after.key,
        layer: after.layer,
        description: after.description,
        hypothesis: after.hypothesis,
        owner: after.owner,
        salt: after.salt,
        buckets: json(after.buckets),
        variants: json(after.variants),
        targeting: json(after.targeting),
        ramp: after.ramp,
        status: after.status,
        started_at: after.startedAt,
        stopped_at: after.stoppedAt,
      },
      beforeRow !== undefined,
    );
    const shown = presentExperiment(row);
    await this.audit(
      trx,
      'experiment',
      after.key,
      action,
      actor,
      beforeRow ? presentExperiment(beforeRow) : null,
      shown,
      notes,
    );
    return { ...shown, notes: [...notes] };
  }

  // ---- layers ----

  async listLayers(q: { bookmark?: string; page_size?: number }) {
    const size = q.page_size ?? 25;
    const p = this.page<Awaited<ReturnType<typeof repo.layers>>[number], ReturnType<typeof presentLayer>>(
      'experiment-layers',
      q.bookmark,
    );
    return p.build(await repo.layers(this.deps.db, { after: p.after, limit: size + 1 }), size, presentLayer);
  }

  async getLayer(key: string) {
    const row = await repo.layer(this.deps.db, key);
    if (!row) throw new NotFound(`Layer ${key} not found.`);
    return presentLayer(row);
  }

  async createLayer(actor: Actor, body: Static<typeof LayerCreate>) {
    return this.write(async (trx) => {
      if (await repo.layer(trx, body.key)) throw new Conflict(`Layer ${body.key} already exists.`);
      const layer: Layer = {
        key: body.key,
        salt: this.newSalt(),
        holdout: body.holdout ?? 0,
        experiments: [],
      };
      refuse(layerProblems(layer));
      const row = await repo.saveLayer(
        trx,
        { key: layer.key, salt: layer.salt, holdout: layer.holdout, description: body.description ?? '' },
        false,
      );
      await this.audit(trx, 'layer', row.key, 'create', actor, null, presentLayer(row), []);
      return presentLayer(row);
    });
  }

  async updateLayer(actor: Actor, key: string, body: Static<typeof LayerUpdate>) {
    return this.write(async (trx) => {
      const row = await repo.layer(trx, key, true);
      if (!row) throw new NotFound(`Layer ${key} not found.`);
      const experiments = (await repo.experiments(trx, { layer: key }))
        .filter((r) => r.status !== 'stopped')
        .map((r) => engineExperiment(experimentOf(r)));
      const before: Layer = { key, salt: row.salt, holdout: row.holdout, experiments };
      const after: Layer = { ...before, holdout: body.holdout ?? row.holdout };
      const check = checkLayerChange(before, after);
      if (!check.allowed) throw new Conflict(check.reason);
      refuse(layerProblems(after));
      const saved = await repo.saveLayer(
        trx,
        { key, salt: row.salt, holdout: after.holdout, description: body.description ?? row.description },
        true,
      );
      await this.audit(
        trx,
        'layer',
        key,
        'update',
        actor,
        presentLayer(row),
        presentLayer(saved),
        check.notes,
      );
      return presentLayer(saved);
    });
  }

  async deleteLayer(actor: Actor, key: string): Promise<void> {
    await this.write(async (trx) => {
      const row = await repo.layer(trx, key, true);
      if (!row) throw new NotFound(`Layer ${key} not found.`);
      if ((await repo.countInLayer(trx, key)) > 0) throw new Conflict(`Layer ${key} still has experiments.`);
      await repo.deleteLayer(trx, key);
      await this.audit(trx, 'layer', key, 'delete', actor, presentLayer(row), null, []);
    });
  }

  // ---- flags ----

  async listFlags(q: { bookmark?: string; page_size?: number }) {
    const size = q.page_size ?? 25;
    const p = this.page<FlagRow, ReturnType<typeof presentFlag>>('experiment-flags', q.bookmark);
    return p.build(await repo.flags(this.deps.db, { after: p.after, limit: size + 1 }), size, presentFlag);
  }

  async getFlag(key: string) {
    return presentFlag(await this.flagRow(this.deps.db, key));
  }

  private async flagRow(db: Db, key: string, lock = false): Promise<FlagRow> {
    const row = await repo.flag(db, key, lock);
    if (!row) throw new NotFound(`Flag ${key} not found.`);
    return row;
  }

  async createFlag(actor: Actor, body: Static<typeof FlagCreate>) {
    return this.write(async (trx) => {
      if (await repo.flag(trx, body.key)) throw new Conflict(`Flag ${body.key} already exists.`);
      const flag: FlagRecord = {
        key: body.key,
        salt: this.newSalt(),
        rollout: body.rollout ?? 0,
        value: paramFromApi(body.value),
        defaultValue: paramFromApi(body.default_value),
        targeting: targetingFromApi(body.targeting),
        status: 'draft',
        description: body.description ?? '',
        owner: body.owner ?? '',
      };
      return this.commitFlag(trx, actor, 'create', undefined, flag);
    });
  }

  async updateFlag(actor: Actor, key: string, body: Static<typeof FlagUpdate>) {
    return this.changeFlag(actor, key, 'update', (f) => ({
      ...f,
      ...(body.description !== undefined && { description: body.description }),
      ...(body.owner !== undefined && { owner: body.owner }),
      ...(body.rollout !== undefined && { rollout: body.rollout }),
      ...(body.value !== undefined && { value: paramFromApi(body.value) }),
      ...(body.default_value !== undefined && { defaultValue: paramFromApi(body.default_value) }),
      ...(body.targeting !== undefined && { targeting: targetingFromApi(body.targeting) }),
    }));
  }

  async startFlag(actor: Actor, key: string) {
    return this.changeFlag(actor, key, 'start', (f) => {
      if (f.status === 'running') throw new Conflict(`Flag ${key} is already running.`);
      return { ...f, status: 'running' };
    });
  }

  async stopFlag(actor: Actor, key: string) {
    return this.changeFlag(actor, key, 'stop', (f) => {
      if (f.status !== 'running') throw new Conflict(`Flag ${key} is not running.`);
      return { ...f, status: 'stopped' };
    });
  }

  async deleteFlag(actor: Actor, key: string): Promise<void> {
    await this.write(async (trx) => {
      const row = await this.flagRow(trx, key, true);
      if (row.status === 'running') throw new Conflict(`Flag ${key} is running: stop it first.`);
      await repo.deleteFlag(trx, key);
      await this.audit(trx, 'flag', key, 'delete', actor, presentFlag(row), null, []);
    });
  }

  private async changeFlag(actor: Actor, key: string, action: string, change: (f: FlagRecord) => FlagRecord) {
    return this.write(async (trx) => {
      const row = await this.flagRow(trx, key, true);
      return this.commitFlag(trx, actor, action, row, change(flagOf(row)));
    });
  }

  private async commitFlag(
    trx: Db,
    actor: Actor,
    action: string,
    beforeRow: FlagRow | undefined,
    f: FlagRecord,
  ) {
    refuse(flagProblems(f));
    const row = await repo.saveFlag(
      trx,
      {
        key: f.key,
        description: f.description,
        owner: f.owner,
        salt: f.salt,
        rollout: f.rollout,
        value: json(f.value),
        default_value: json(f.defaultValue),
        targeting: json(f.targeting),
        status: f.status,
      },
      beforeRow !== undefined,
    );
    const shown = presentFlag(row);
    await this.audit(trx, 'flag', f.key, action, actor, beforeRow ? presentFlag(beforeRow) : null, shown, []);
    return shown;
  }

  // ---- audit ----

  private async audit(
    trx: Db,
    subject: Subject,
    key: string,
    action: string,
    actor: Actor,
    before: unknown,
    after: unknown,
    notes: readonly string[],
  ): Promise<void> {
    await repo.appendAudit(trx, {
      subject,
      subject_key: key,
      action,
      actor,
      before: before === null ? null : json(before),
      after: after === null ? null : json(after),
      notes: json(notes),
    });
  }

  /** The audit log of one experiment, layer or flag, oldest first (deleted ones' included). */
  async auditLog(subject: Subject, key: string, q: { bookmark?: string; page_size?: number }) {
    const size = q.page_size ?? 25;
    const scope = `experiment-audit:${subject}:${key}`;
    const after = q.bookmark ? String(this.deps.bookmarks.decode(scope, q.bookmark)[0]) : undefined;
    if (after !== undefined && !/^\d{1,19}$/.test(after)) throw new Invalid('bookmark is not valid.');
    const rows = await repo.audit(this.deps.db, subject, key, after, size + 1);
    return this.deps.bookmarks.page(scope, rows, size, (last) => [last.id], presentAudit);
  }

  // ---- serving ----

  /**
   * The running experiments compiled by layer, for serving code. Cached in this process: a local write
   * reloads at the next call, another node's within `refreshMs` (the audit log's newest id is the version).
   */
  async runningLayers(): Promise<readonly CompiledLayer[]> {
    return (await this.running()).layers;
  }

  /** The flags compiled, with the same cache as {@link runningLayers}. */
  async runningFlags(): Promise<readonly CompiledFlag[]> {
    return (await this.running()).flags;
  }

  private async running(): Promise<RunningDefinitions> {
    const now = this.now().getTime();
    const c = this.cached;
    if (c && !this.dirty && now - c.checkedAt < (this.deps.refreshMs ?? 5_000)) return c;
    this.loading ??= this.reload(now).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async reload(now: number): Promise<RunningDefinitions> {
    this.dirty = false;
    const version = await repo.version(this.deps.db);
    if (this.cached && version === this.cached.version) {
      this.cached = { ...this.cached, checkedAt: now };
      return this.cached;
    }
    const db = this.deps.db;
    const [layerRows, running, flagRows] = await Promise.all([
      repo.layers(db),
      repo.experiments(db, { status: 'running' }),
      repo.flags(db),
    ]);
    const layers = layerRows.map((l) =>
      compileLayer({
        key: l.key,
        salt: l.salt,
        holdout: l.holdout,
        experiments: running.filter((e) => e.layer === l.key).map((e) => engineExperiment(experimentOf(e))),
      }),
    );
    const flags = flagRows.map((f) => compileFlag(flagOf(f)));
    this.cached = { layers, flags, version, checkedAt: now };
    return this.cached;
  }
}

function presentAudit(row: AuditRow) {
  return {
    id: String(row.id),
    subject: row.subject,
    key: row.subject_key,
    action: row.action,
    actor: row.actor,
    at: new Date(row.at).toISOString(),
    before: row.before ?? null,
    after: row.after ?? null,
    notes: (row.notes as string[]) ?? [],
  };
}
