import type { Db } from '../../platform/db/database.js';
import type { Logger } from '../../platform/logger.js';
import { isDiscoverable } from '../boards/index.js';
import type { TopicConsumer } from '../topics.js';
import { searchIndexRepository as repo } from './search-index.repository.js';

/** Pins reconciled per transaction. */
const CHUNK = 2000;
/** How often the reconciliation and the lexicon, vocabulary and engagement refreshes run. */
export const RECONCILE_MS = 5 * 60_000;

const id = (v: unknown) => (typeof v === 'string' && /^\d{1,19}$/.test(v) ? v : undefined);

/**
 * Keeps the search index current: the index consumer reacts to pin and board events in the delivery's
 * transaction; the periodic reconciliation catches what no event announced (pins written straight to the
 * database by `corkboard seed`, board renames, lost deliveries) and refreshes engagement, the lexicon and
 * the vocabulary.
 */
export class SearchIndexService {
  constructor(
    private readonly db: Db,
    private readonly log: Logger,
  ) {}

  consumer(): TopicConsumer<
    'pin.created' | 'pin.saved' | 'pin.updated' | 'pin.deleted' | 'board.privacy_changed' | 'board.deleted'
  > {
    return {
      name: 'discovery-search.index',
      topics: [
        'pin.created',
        'pin.saved',
        'pin.updated',
        'pin.deleted',
        'board.privacy_changed',
        'board.deleted',
      ],
      handle: async (p, ctx) => {
        // The pin topics carry a pinId, the board topics do not.
        if ('pinId' in p) {
          const pinId = id(p.pinId);
          if (pinId) await repo.reindex(ctx.trx, [pinId]);
          const parent = 'parentPinId' in p ? id(p.parentPinId) : undefined;
          if (parent) await repo.refreshEngagement(ctx.trx, { pinIds: [parent] });
          return;
        }
        const boardId = id(p.boardId);
        if (!boardId) return;
        // The board's name leaves the vocabulary when it stops being public or is deleted (a deleted
        // board's name is known from its indexed pins), and comes back when it is public again.
        const changed = 'to' in p ? p : undefined;
        const wasHidden = changed !== undefined && !isDiscoverable(changed.from);
        const isHidden = changed === undefined || !isDiscoverable(changed.to);
        const name = wasHidden !== isHidden ? await repo.boardNameTerm(ctx.trx, boardId) : undefined;
        if (name) await repo.addVocabulary(ctx.trx, new Map([[name, isHidden ? -1 : 1]]));
        const pins = new Set([
          ...(await repo.indexedPinsOfBoard(ctx.trx, boardId)),
          ...(await repo.pinsOfBoard(ctx.trx, boardId)),
        ]);
        const all = [...pins];
        for (let i = 0; i < all.length; i += CHUNK) await repo.reindex(ctx.trx, all.slice(i, i + CHUNK));
      },
    };
  }

  /** Reindexes these pins now, in the given transaction. */
  async reconcileIds(trx: Db, pinIds: readonly string[]): Promise<void> {
    await repo.reindex(trx, pinIds);
  }

  /** The whole upkeep; safe to run in several processes at once (each step is idempotent). */
  async reconcile(): Promise<{ reindexed: number; engagement: number }> {
    let reindexed = 0;
    for (let after: string | undefined = '0'; after !== undefined; ) {
      const { stale, next }: { stale: string[]; next?: string } = await repo.stalePins(this.db, after, CHUNK);
      if (stale.length > 0) {
        await this.db.transaction().execute((trx) => repo.reindex(trx, stale));
        reindexed += stale.length;
      }
      after = next;
    }
    for (let after: string | undefined = '0'; after !== undefined; ) {
      const { orphans, next }: { orphans: string[]; next?: string } = await repo.orphanDocs(
        this.db,
        after,
        CHUNK,
      );
      if (orphans.length > 0) {
        await this.db.transaction().execute((trx) => repo.reindex(trx, orphans));
        reindexed += orphans.length;
      }
      after = next;
    }
    // Engagement from the rollups of the days since the last run (yesterday included: late events).
    const today = new Date().toISOString().slice(0, 10);
    const since = (await repo.getState(this.db, 'engagement_since')) ?? '1970-01-01';
    const engagement = await repo.refreshEngagement(this.db, { sinceDay: since });
    await repo.setState(
      this.db,
      'engagement_since',
      new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10),
    );
    await this.refreshLexicons();
    if (reindexed > 0 || engagement > 0) this.log.info({ reindexed, engagement }, 'search index reconciled');
    return { reindexed, engagement };
  }

  /** The lexicon (typo correction) and vocabulary (typeahead), rebuilt from the index. */
  async refreshLexicons(): Promise<void> {
    await repo.refreshLexicon(this.db);
    await repo.refreshVocabulary(this.db);
  }
}
