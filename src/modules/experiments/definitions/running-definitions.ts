import type { Db } from '../../../platform/db/database.js';
import { type CompiledFlag, type CompiledLayer, compileFlag, compileLayer } from '../assignment/index.js';
import { engineExperiment, experimentOf, flagOf } from './definitions.presenter.js';
import { definitionsRepository as repo } from './definitions.repository.js';

/** The compiled running definitions serving code assigns with. */
export interface RunningDefinitions {
  readonly layers: readonly CompiledLayer[];
  readonly flags: readonly CompiledFlag[];
}

/**
 * The running definitions compiled, cached in this process. A write on this node marks them stale (the
 * next call reloads); another node's write is seen within `refreshMs`: at most that often one indexed
 * query reads the audit log's newest id, which every write moves, and a new one means a reload.
 */
export class RunningDefinitionsCache {
  private cached: (RunningDefinitions & { version: string; checkedAt: number }) | undefined;
  private loading: Promise<RunningDefinitions> | undefined;
  private stale = true;

  constructor(
    private readonly db: Db,
    private readonly now: () => number,
    private readonly refreshMs = 5_000,
  ) {}

  /** A definition may have changed: reload at the next call. */
  invalidate(): void {
    this.stale = true;
  }

  async get(): Promise<RunningDefinitions> {
    const now = this.now();
    const c = this.cached;
    if (c && !this.stale && now - c.checkedAt < this.refreshMs) return c;
    this.loading ??= this.reload(now).finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async reload(now: number): Promise<RunningDefinitions> {
    // Cleared before the version is read: a write committing meanwhile moves the version or marks it again.
    this.stale = false;
    const version = await repo.version(this.db);
    if (this.cached && version === this.cached.version) {
      this.cached = { ...this.cached, checkedAt: now };
      return this.cached;
    }
    const [layerRows, running, flagRows] = await Promise.all([
      repo.layers(this.db),
      repo.experiments(this.db, { status: 'running' }),
      repo.flags(this.db),
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
