import type { Consumer, PeriodicTask } from '../../platform/jobs/types.js';
import { relatedRepository as repo } from './related.repository.js';

/** Log entries are kept this long: far longer than any node goes between rebuilds. */
export const LOG_RETENTION_MS = 24 * 3_600_000;

/**
 * Turns pin and board events into entries of the graph's change log, once each (the entries commit with
 * the delivery record). The entries say what is true when the event is handled, read from the tables
 * (the pin's board and save chain, the board's privacy), not what the payload said, so late or repeated
 * events write nothing stale.
 */
export function graphLogConsumer(): Consumer {
  return {
    name: 'related.graph-log',
    topics: ['pin.created', 'pin.saved', 'pin.updated', 'board.privacy_changed'],
    async handle(payload, ctx) {
      const { pinId, boardId } = (payload ?? {}) as { pinId?: string; boardId?: string };
      if (ctx.topic === 'board.privacy_changed') {
        if (boardId) await repo.logBoardPrivacy(ctx.trx, String(boardId));
      } else if (pinId) {
        await repo.logEdgesOfPins(ctx.trx, [String(pinId)]);
      }
    },
  };
}

/** Drops old log entries (every process that runs jobs; a delete by time is safe to run concurrently). */
export function pruneLogTask(db: Parameters<typeof repo.pruneLog>[0]): PeriodicTask {
  return {
    name: 'related.prune-log',
    everyMs: 3_600_000,
    run: () => repo.pruneLog(db, new Date(Date.now() - LOG_RETENTION_MS)),
  };
}
