import type { Static } from 'typebox';
import type { Db } from '../../../platform/db/database.js';
import { Conflict, Invalid, NotFound } from '../../../platform/errors.js';
import {
  type CompiledFlag,
  type CompiledLayer,
  checkChange,
  checkLayerChange,
  experimentProblems,
  type Layer,
  layerProblems,
} from '../assignment/index.js';
import { metricsFromApi, metricsToApi } from '../metrics/metric-config.js';
import {
  type ExperimentRecord,
  engineExperiment,
  experimentOf,
  presentExperiment,
  presentLayer,
  rangesFromApi,
  targetingFromApi,
  variantsFromApi,
} from './definitions.presenter.js';
import {
  type AuditRow,
  type ExperimentRow,
  definitionsRepository as repo,
  type Subject,
} from './definitions.repository.js';
import type {
  ExperimentCreate,
  ExperimentListQuery,
  ExperimentUpdate,
  LayerCreate,
  LayerUpdate,
} from './definitions.schemas.js';
import { type Actor, type DefinitionsDeps, DefinitionWrites, json, refuse } from './definitions.writes.js';
import { FlagsService } from './flags.service.js';
import { RunningDefinitionsCache } from './running-definitions.js';

export type { Actor, DefinitionsDeps } from './definitions.writes.js';
export type { RunningDefinitions } from './running-definitions.js';

/** Keys the routes under /v5/experiments use as path segments: no experiment may be named so. */
const RESERVED = new Set(['layers', 'flags']);

/**
 * Layers and experiments (flags: {@link FlagsService}): every write is checked by the assignment engine
 * (validate, and checkChange once an experiment has run) and appends its audit entry in the same
 * transaction. `runningLayers()` gives serving code the running definitions compiled.
 */
export class DefinitionsService {
  private readonly w: DefinitionWrites;
  private readonly cache: RunningDefinitionsCache;
  /** Feature flags. */
  readonly flags: FlagsService;

  constructor(deps: DefinitionsDeps) {
    this.cache = new RunningDefinitionsCache(deps.db, () => deps.now?.() ?? Date.now(), deps.refreshMs);
    this.w = new DefinitionWrites(deps, () => this.cache.invalidate());
    this.flags = new FlagsService(this.w);
  }

  // ---- experiments ----

  async listExperiments(q: Static<typeof ExperimentListQuery>) {
    const size = q.page_size ?? 25;
    const p = this.w.page<ExperimentRow, ReturnType<typeof presentExperiment>>(
      `experiments:${q.status ?? ''}:${q.layer ?? ''}`,
      q.bookmark,
    );
    const rows = await repo.experiments(this.w.db, q, { after: p.after, limit: size + 1 });
    return p.build(rows, size, presentExperiment);
  }

  async getExperiment(key: string) {
    return presentExperiment(await this.experimentRow(this.w.db, key));
  }

  private async experimentRow(db: Db, key: string, lock = false): Promise<ExperimentRow> {
    const row = await repo.experiment(db, key, lock);
    if (!row) throw new NotFound(`Experiment ${key} not found.`);
    return row;
  }

  async createExperiment(actor: Actor, body: Static<typeof ExperimentCreate>) {
    if (RESERVED.has(body.key)) throw new Invalid(`key: ${body.key} is reserved.`);
    return this.w.transaction(async (trx) => {
      if (await repo.experiment(trx, body.key)) throw new Conflict(`Experiment ${body.key} already exists.`);
      const after: ExperimentRecord = {
        key: body.key,
        layer: body.layer,
        salt: this.w.newSalt(),
        buckets: rangesFromApi(body.buckets),
        variants: variantsFromApi(body.variants),
        targeting: targetingFromApi(body.targeting),
        ramp: body.ramp ?? 0,
        status: 'draft',
        description: body.description ?? '',
        hypothesis: body.hypothesis ?? '',
        owner: body.owner ?? '',
        metrics: metricsFromApi(body.metrics),
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
        startedAt: first ? this.w.now() : before.startedAt,
        stoppedAt: null,
      };
    });
  }

  async stopExperiment(actor: Actor, key: string) {
    return this.changeExperiment(actor, key, 'stop', (before) => {
      if (before.status !== 'running') throw new Conflict(`Experiment ${key} is not running.`);
      return { ...before, status: 'stopped', stoppedAt: this.w.now() };
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
        salt: this.w.newSalt(),
        status: 'running',
        startedAt: this.w.now(),
        stoppedAt: null,
      };
    });
  }

  async deleteExperiment(actor: Actor, key: string): Promise<void> {
    await this.w.transaction(async (trx) => {
      const row = await this.experimentRow(trx, key, true);
      if (row.status !== 'draft')
        throw new Conflict(`Experiment ${key} has run: stop it and keep it, so its results stay readable.`);
      await repo.deleteExperiment(trx, key);
      await this.w.audit(trx, {
        subject: 'experiment',
        key: key,
        action: 'delete',
        actor,
        before: presentExperiment(row),
        after: null,
      });
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
      ...(body.metrics !== undefined && { metrics: metricsFromApi(body.metrics) }),
    };
  }

  private async changeExperiment(
    actor: Actor,
    key: string,
    action: string,
    change: (before: ExperimentRecord) => ExperimentRecord,
  ) {
    return this.w.transaction(async (trx) => {
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
      const shown = (m: ExperimentRecord['metrics']) => json(metricsToApi(m));
      if (shown(experimentOf(beforeRow).metrics) !== shown(after.metrics) && beforeRow.started_at !== null)
        notes = [
          ...notes,
          'metrics changed: analysis only (every catalog metric is kept for every run); no one moves, and the results use the new list at once',
        ];
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
        metrics: after.metrics ? json(after.metrics) : null,
        status: after.status,
        started_at: after.startedAt,
        stopped_at: after.stoppedAt,
      },
      beforeRow !== undefined,
    );
    const shown = presentExperiment(row);
    await this.w.audit(trx, {
      subject: 'experiment',
      key: after.key,
      action,
      actor,
      before: beforeRow ? presentExperiment(beforeRow) : null,
      after: shown,
      notes,
    });
    return { ...shown, notes: [...notes] };
  }

  // ---- layers ----

  async listLayers(q: { bookmark?: string; page_size?: number }) {
    const size = q.page_size ?? 25;
    const p = this.w.page<Awaited<ReturnType<typeof repo.layers>>[number], ReturnType<typeof presentLayer>>(
      'experiment-layers',
      q.bookmark,
    );
    return p.build(await repo.layers(this.w.db, { after: p.after, limit: size + 1 }), size, presentLayer);
  }

  async getLayer(key: string) {
    const row = await repo.layer(this.w.db, key);
    if (!row) throw new NotFound(`Layer ${key} not found.`);
    return presentLayer(row);
  }

  async createLayer(actor: Actor, body: Static<typeof LayerCreate>) {
    return this.w.transaction(async (trx) => {
      if (await repo.layer(trx, body.key)) throw new Conflict(`Layer ${body.key} already exists.`);
      const layer: Layer = {
        key: body.key,
        salt: this.w.newSalt(),
        holdout: body.holdout ?? 0,
        experiments: [],
      };
      refuse(layerProblems(layer));
      const row = await repo.saveLayer(
        trx,
        { key: layer.key, salt: layer.salt, holdout: layer.holdout, description: body.description ?? '' },
        false,
      );
      await this.w.audit(trx, {
        subject: 'layer',
        key: row.key,
        action: 'create',
        actor,
        before: null,
        after: presentLayer(row),
      });
      return presentLayer(row);
    });
  }

  async updateLayer(actor: Actor, key: string, body: Static<typeof LayerUpdate>) {
    return this.w.transaction(async (trx) => {
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
      await this.w.audit(trx, {
        subject: 'layer',
        key: key,
        action: 'update',
        actor,
        before: presentLayer(row),
        after: presentLayer(saved),
        notes: check.notes,
      });
      return presentLayer(saved);
    });
  }

  async deleteLayer(actor: Actor, key: string): Promise<void> {
    await this.w.transaction(async (trx) => {
      const row = await repo.layer(trx, key, true);
      if (!row) throw new NotFound(`Layer ${key} not found.`);
      if ((await repo.countInLayer(trx, key)) > 0) throw new Conflict(`Layer ${key} still has experiments.`);
      await repo.deleteLayer(trx, key);
      await this.w.audit(trx, {
        subject: 'layer',
        key: key,
        action: 'delete',
        actor,
        before: presentLayer(row),
        after: null,
      });
    });
  }

  // ---- audit and serving ----

  async auditLog(subject: Subject, key: string, q: { bookmark?: string; page_size?: number }) {
    const size = q.page_size ?? 25;
    const scope = `experiment-audit:${subject}:${key}`;
    const after = q.bookmark ? String(this.w.deps.bookmarks.decode(scope, q.bookmark)[0]) : undefined;
    if (after !== undefined && !/^\d{1,19}$/.test(after)) throw new Invalid('bookmark is not valid.');
    const rows = await repo.audit(this.w.db, subject, key, after, size + 1);
    return this.w.deps.bookmarks.page(scope, rows, size, (last) => [last.id], presentAudit);
  }

  /** The running experiments compiled by layer, for serving code (cached; see running-definitions.ts). */
  async runningLayers(): Promise<readonly CompiledLayer[]> {
    return (await this.cache.get()).layers;
  }

  /** The feature flags compiled, from the same cache as {@link runningLayers}. */
  async runningFlags(): Promise<readonly CompiledFlag[]> {
    return (await this.cache.get()).flags;
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
