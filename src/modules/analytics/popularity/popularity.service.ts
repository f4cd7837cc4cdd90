import { sql } from 'kysely';
import type { Db } from '../../../platform/db/database.js';
import type { Logger } from '../../../platform/logger.js';
import { isDiscoverable } from '../../boards/index.js';
import type { TopicConsumer } from '../../topics.js';
import { analyticsRepository as repo } from '../analytics.repository.js';
import {
  hourOf,
  LONGEST_WINDOW_HOURS,
  type PinHourCount,
  type PopularitySignals,
  type SignalStore,
  signalsOf,
} from './popularity.js';

/**
 * Rollups take this advisory lock shared while they add to the signal store; a rebuild, and making pins
 * private, take it exclusively, so they never interleave with a rollup that read the old state.
 */
const LOCK = sql`hashtext('corkboard.analytics.popularity')`;

/** Hourly rows are kept a day past the longest window, then pruned. */
const KEEP_HOURS = LONGEST_WINDOW_HOURS + 24;
/** Rolled-batch records are kept well past any raw event retention (a batch cannot be re-read after). */
const ROLLED_KEEP_MS = 120 * 86_400_000;

/**
 * Popularity signals for discovery: decayed save and engagement counts per pin over 1 and 7 days. The
 * rollup adds each batch's counts (only pins on boards discovery shows, boards' isDiscoverable, enter); `pin_hourly_signals` in the
 * database is the exact copy they are rebuilt from.
 */
export class PopularityService {
  private built = false;
  private lastPrune = 0;

  constructor(
    private readonly db: Db,
    private readonly store: SignalStore,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Signals of these pins now; pins without recent activity are all zeros. */
  async signals(pinIds: readonly string[]): Promise<Map<string, PopularitySignals>> {
    if (!this.built && !(await this.store.isBuilt())) await this.rebuild();
    const counts = await this.store.read(pinIds);
    const now = this.now();
    return new Map(pinIds.map((id) => [id, signalsOf(counts.get(id) ?? [], now)]));
  }

  /** Refills the store from the hourly rows of pins whose boards discovery shows now. */
  async rebuild(): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      await sql`select pg_advisory_xact_lock(${LOCK})`.execute(trx);
      return this.rebuildIn(trx);
    });
  }

  private async rebuildIn(trx: Db): Promise<number> {
    const rows = await repo.hourlySignalsSince(trx, hourOf(this.now()) - LONGEST_WINDOW_HOURS);
    await this.store.replace(rows);
    this.built = true;
    this.log.info({ rows: rows.length }, 'popularity signals rebuilt');
    return rows.length;
  }

  /**
   * Takes the lock a rollup holds while it adds to the signals; call before the rollup's row writes. If
   * the store is empty (a new process in embedded mode, or Redis lost its data) the lock is exclusive
   * and the result says to rebuild once the batch's hourly rows are written.
   */
  async lockForRollup(trx: Db): Promise<'apply' | 'rebuild'> {
    if (this.built || (await this.store.isBuilt())) {
      this.built = true;
      await sql`select pg_advisory_xact_lock_shared(${LOCK})`.execute(trx);
      return 'apply';
    }
    await sql`select pg_advisory_xact_lock(${LOCK})`.execute(trx);
    return 'rebuild';
  }

  /**
   * Adds one rolled batch's hourly counts (already written to `pin_hourly_signals` in `trx`). Runs
   * inside the rollup's transaction, last: the store marks the batch applied, so a redelivery after a
   * failure or a crash before the commit finds the mark and does not count again.
   */
  async addBatch(trx: Db, batchId: string, counts: readonly PinHourCount[], mode: 'apply' | 'rebuild') {
    if (mode === 'rebuild') {
      await this.rebuildIn(trx); // reads this transaction's rows, so the batch is in
      await this.store.apply(batchId, []); // and marked, so a retry does not add it again
    } else {
      await this.store.apply(batchId, counts);
    }
    if (this.now() - this.lastPrune > 3_600_000) {
      this.lastPrune = this.now();
      await repo.pruneHourlySignals(trx, hourOf(this.now()) - KEEP_HOURS);
      await repo.pruneRolled(trx, new Date(this.now() - ROLLED_KEEP_MS));
    }
  }

  /** Drops these pins from the signals (made private or deleted), in the caller's transaction. */
  private async forget(trx: Db, pinIds: readonly string[], lock: boolean): Promise<void> {
    if (pinIds.length === 0) return;
    if (lock) await sql`select pg_advisory_xact_lock(${LOCK})`.execute(trx);
    await repo.deleteHourlySignals(trx, pinIds);
    await this.store.forget(pinIds);
  }

  /**
   * Keeps pins discovery does not show out of the signals after the fact: a board made protected or
   * secret, a pin moved to such a board, a pin deleted. Counts from before a board became public again are not restored.
   */
  privacyConsumer(): TopicConsumer<'board.privacy_changed' | 'pin.updated' | 'pin.deleted'> {
    return {
      name: 'analytics.signals-privacy',
      topics: ['board.privacy_changed', 'pin.updated', 'pin.deleted'],
      handle: async (p, ctx) => {
        // board.privacy_changed is the topic without a pinId.
        if (!('pinId' in p)) {
          if (!isDiscoverable(p.to))
            await this.forget(ctx.trx, await repo.pinIdsOfBoard(ctx.trx, p.boardId), true);
        } else if (ctx.topic === 'pin.updated') {
          if (!(await repo.pinIsDiscoverable(ctx.trx, p.pinId))) await this.forget(ctx.trx, [p.pinId], true);
        } else {
          await this.forget(ctx.trx, [p.pinId], false);
        }
      },
    };
  }
}
