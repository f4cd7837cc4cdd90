import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { App } from '../../../src/app.js';
import { emit } from '../../../src/modules/topics.js';
import type { Db } from '../../../src/platform/db/database.js';
import { eventually } from '../../helpers/app.js';
import { makeImage } from '../../helpers/images.js';

export interface TestEvent {
  kind: 'IMPRESSION' | 'PIN_CLICK' | 'SAVE' | 'OUTBOUND_CLICK' | 'SEARCH' | 'FOLLOW' | 'UNFOLLOW';
  pinId?: string;
  at: Date;
  appType?: 'MOBILE' | 'TABLET' | 'WEB' | 'OTHER';
  userId?: string;
}

const nextDay = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

/** Makes the day partitions of `events` these days need (the events module's maintenance owns them in production). */
export async function ensurePartitions(db: Db, days: Iterable<string>): Promise<void> {
  for (const day of new Set(days)) {
    // The events module's naming; a partition it already made (by any name) is fine too.
    const name = `events_d${day.replaceAll('-', '')}`;
    try {
      await sql`create table if not exists ${sql.ref(name)} partition of events
                for values from (${sql.lit(day)}) to (${sql.lit(nextDay(day))})`.execute(db);
    } catch (err) {
      if (!/would overlap/.test(String(err))) throw err;
    }
  }
}

let batchSeq = BigInt(Date.now()) * 1000n;

/**
 * Writes one accepted batch as the events module does: the rows and an `events.batch` outbox event in one
 * transaction. Returns the batch id and the outbox event id.
 */
export async function insertBatch(
  app: App,
  events: readonly TestEvent[],
): Promise<{ batchId: string; eventId: string }> {
  const db = app.database.db;
  const days = [...new Set(events.map((e) => e.at.toISOString().slice(0, 10)))].sort();
  await ensurePartitions(db, days);
  const batchId = (batchSeq++).toString();
  const eventId = await db.transaction().execute(async (trx) => {
    for (let i = 0; i < events.length; i += 1000) {
      await trx
        .insertInto('events')
        .values(
          events.slice(i, i + 1000).map((e) => ({
            day: e.at.toISOString().slice(0, 10),
            id: `t:${randomBytes(8).toString('hex')}`,
            kind: e.kind,
            occurred_at: e.at,
            user_id: e.userId ?? null,
            pin_id: e.pinId ?? null,
            app_type: e.appType ?? 'WEB',
            batch_id: batchId,
          })),
        )
        .execute();
    }
    return emit(trx, 'events.batch', { batchId, days });
  });
  app.deps.eventsCommitted();
  return { batchId, eventId };
}

/** Waits until the rollup consumer has committed this outbox event. */
export async function waitRolled(app: App, eventId: string, timeoutMs = 15_000): Promise<void> {
  await eventually(
    () =>
      app.database.db
        .selectFrom('job_done')
        .select('event_id')
        .where('event_id', '=', eventId)
        .where('consumer', '=', 'analytics.rollup')
        .executeTakeFirst(),
    timeoutMs,
  );
}

/** `n` events of one kind on one pin at one time. */
export function times(n: number, e: TestEvent): TestEvent[] {
  return Array.from({ length: n }, () => ({ ...e }));
}

/** A pin made through the API on a new board of `owner` (privacy as given). */
export async function makePin(app: App, auth: { authorization: string }, boardId: string): Promise<string> {
  const res = await app.http.inject({
    method: 'POST',
    url: '/v5/pins',
    headers: auth,
    payload: {
      board_id: boardId,
      media_source: {
        source_type: 'image_base64',
        content_type: 'image/png',
        data: (await PNG).toString('base64'),
      },
    },
  });
  if (res.statusCode !== 201) throw new Error(`makePin: ${res.statusCode} ${res.body}`);
  return res.json().id;
}

const PNG = makeImage({ width: 64, height: 48 });

/** The day `n` days before today (UTC). */
export function daysAgo(n: number): string {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}

/** Noon UTC of a day, plus `minutes`. */
export function noon(day: string, minutes = 0): Date {
  return new Date(Date.parse(`${day}T12:00:00Z`) + minutes * 60_000);
}
