import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../src/app.js';
import { eventually, startTestApp } from '../helpers/app.js';
import { makeBoard, makePin, makeUser } from '../helpers/factories.js';
import { ensurePartitions } from '../modules/analytics/helpers.js';

/**
 * Outbox rows as earlier code wrote them, inserted raw (not through the typed emit), so a change to a
 * topic's name or payload that strands the rows left in the outbox at a deploy fails here.
 */
async function rawRow(app: App, topic: string, json: string): Promise<string> {
  const row = await app.deps.db
    .insertInto('outbox')
    .values({ topic, payload: json })
    .returning('id')
    .executeTakeFirstOrThrow();
  app.deps.eventsCommitted();
  return row.id;
}

/** Waits until each of these consumers has committed the event; none may have dead-lettered it. */
async function handledBy(app: App, eventId: string, consumers: readonly string[]): Promise<void> {
  await eventually(async () => {
    const done = await app.deps.db
      .selectFrom('job_done')
      .select('consumer')
      .where('event_id', '=', eventId)
      .execute();
    return consumers.every((c) => done.some((d) => d.consumer === c));
  });
  const dead = await app.deps.db
    .selectFrom('dead_letters')
    .select('consumer')
    .where('event_id', '=', eventId)
    .execute();
  expect(dead).toEqual([]);
}

describe('outbox rows written by earlier code', () => {
  let app: App;
  beforeAll(async () => {
    app = await startTestApp();
  });

  it('pin.created: the search index, the feed and the related graph take the pin', async () => {
    const owner = await makeUser(app);
    const board = await makeBoard(app, owner, { privacy: 'PUBLIC' });
    const title = `zq${randomBytes(4).toString('hex')}`;
    const pinId = await makePin(app, owner, board.id, { title });
    const indexed = async () =>
      (
        await sql<{
          pin_id: string;
        }>`select pin_id::text from search_pin_docs where pin_id = ${pinId}`.execute(app.deps.db)
      ).rows[0];
    // The pin's own event indexes it; then it is taken out, so only the raw row can bring it back.
    await eventually(indexed);
    await sql`delete from search_pin_docs where pin_id = ${pinId}`.execute(app.deps.db);
    expect(await indexed()).toBeUndefined();

    const eventId = await rawRow(
      app,
      'pin.created',
      `{"pinId":"${pinId}","ownerId":"${owner.id}","boardId":"${board.id}"}`,
    );
    await handledBy(app, eventId, ['discovery-search.index', 'feed.fanout', 'related.graph-log']);
    expect(await indexed()).toEqual({ pin_id: pinId });
  });

  it('events.batch: the analytics rollup and the search-term rollup count the batch', async () => {
    const owner = await makeUser(app);
    const board = await makeBoard(app, owner, { privacy: 'PUBLIC' });
    const pinId = await makePin(app, owner, board.id);
    const day = new Date().toISOString().slice(0, 10);
    await ensurePartitions(app.deps.db, [day]);
    const batchId = (BigInt(Date.now()) * 1000n + 7n).toString();
    await app.deps.db
      .insertInto('events')
      .values(
        Array.from({ length: 3 }, (_, i) => ({
          day,
          id: `t:${batchId}:${i}`,
          kind: 'IMPRESSION',
          occurred_at: new Date(),
          pin_id: pinId,
          app_type: 'WEB',
          batch_id: batchId,
        })),
      )
      .execute();

    const eventId = await rawRow(app, 'events.batch', `{"batchId":"${batchId}","days":["${day}"]}`);
    await handledBy(app, eventId, ['analytics.rollup', 'discovery-search.search-terms']);
    const { rows } = await sql<{ impressions: number }>`
      select sum(impressions)::int as impressions from pin_daily_rollups where pin_id = ${pinId}`.execute(
      app.deps.db,
    );
    expect(rows[0]?.impressions).toBe(3);
  });

  it('image.processed without imageId (before the images-ready consumer): the raw upload is deleted', async () => {
    const key = randomBytes(16).toString('hex');
    await app.deps.blobs.put(`raw/${key}`, Buffer.from('raw bytes'), 'application/octet-stream');
    expect(await app.deps.blobs.get(`raw/${key}`)).toBeDefined();

    const eventId = await rawRow(app, 'image.processed', `{"key":"${key}"}`);
    await handledBy(app, eventId, ['images.cleanup', 'pins.images-ready']);
    expect(await app.deps.blobs.get(`raw/${key}`)).toBeUndefined();
  });
});
