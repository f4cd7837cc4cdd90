import type { PeriodicTask } from '../../platform/jobs/types.js';
import type { TopicConsumer } from '../topics.js';
import { relatedRepository as repo } from './related.repository.js';

/** Log entries are kept this long: far longer than any node goes between rebuilds. */
export const LOG_RETENTION_MS = 24 * 3_600_000;

/**
 * Turns pin and board events into entries of the graph's change log, once each (the entries commit with
 * the delivery record). The entries say what is true when the event is handled, read from the tables
 * (the pin's board and save chain, the board's privacy), not what the payload said, so late or repeated
 * events write nothing stale.
 */
export function graphLogConsumer(): TopicConsumer<
  'pin.created' | 'pin.saved' | 'pin.updated' | 'board.privacy_changed'
> {
  return {
    name: 'related.graph-log',
    topics: ['pin.created', 'pin.saved', 'pin.updated', 'board.privacy_changed'],
    async handle(payload, ctx) {
      // The pin topics carry a pinId, board.privacy_changed does not.
      if ('pinId' in payload) await repo.logEdgesOfPins(ctx.trx, [payload.pinId]);
      else await repo.logBoardPrivacy(ctx.trx, payload.boardId);
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
