/**
 * Compile-time checks of the topic map (src/modules/topics.ts): never run, only type-checked
 * (`npm run typecheck` covers test/). Each `@ts-expect-error` line must fail to compile; if the typing of
 * `emit` or of consumers were loosened, the directive would be unused and typecheck would fail.
 */
import { emit, type TopicConsumer } from '../../src/modules/topics.js';
import type { Db } from '../../src/platform/db/database.js';

export async function emitChecks(trx: Db): Promise<void> {
  await emit(trx, 'pin.created', { pinId: '1', ownerId: '2', boardId: '3' });
  // @ts-expect-error a misspelt topic
  await emit(trx, 'pin.create', { pinId: '1', ownerId: '2', boardId: '3' });
  // @ts-expect-error a payload without a field of its topic
  await emit(trx, 'pin.created', { pinId: '1', ownerId: '2' });
  // @ts-expect-error a field of the wrong type
  await emit(trx, 'events.batch', { batchId: 1, days: [] });
  // @ts-expect-error a privacy that does not exist
  await emit(trx, 'board.privacy_changed', { boardId: '1', from: 'PUBLIC', to: 'HIDDEN' });
  // @ts-expect-error another topic's payload
  await emit(trx, 'image.stored', { key: 'k', imageId: '1' });
}

export const pinIndexer: TopicConsumer<'pin.updated' | 'board.deleted'> = {
  name: 'types.pin-indexer',
  topics: ['pin.updated', 'board.deleted'],
  async handle(payload) {
    // @ts-expect-error the union of the topics' payloads: board.deleted has no pinId
    void payload.pinId;
    if ('pinId' in payload) void payload.pinId.length;
    else void payload.boardId.length;
  },
};

export const misspeltConsumer: TopicConsumer<'pin.updated'> = {
  name: 'types.misspelt',
  // @ts-expect-error a topic outside the map
  topics: ['pin.update'],
  async handle() {},
};

// @ts-expect-error a consumer of a topic outside the map
export type Unknown = TopicConsumer<'pin.liked'>;

export const oldRows: TopicConsumer<'image.processed'> = {
  name: 'types.old-rows',
  topics: ['image.processed'],
  async handle(payload) {
    void payload.key.length;
    // @ts-expect-error rows written before imageId was added lack it: a consumer must check
    void payload.imageId.length;
  },
};
