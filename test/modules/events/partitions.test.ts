import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import { startTestApp } from '../../helpers/app.js';
import { makeBoard, makeUser, type TestUser } from '../../helpers/factories.js';
import { event, makePin, postEvents, tokenFor } from './helpers.js';

let app: App;
let alice: TestUser;
let pin: string;
const DAY = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

beforeAll(async () => {
  // Tokens live three days here, so yesterday's events can be reported whatever the time of day.
  app = await startTestApp({
    runJobs: false,
    env: {
      EVENTS_RETENTION_DAYS: '10',
      EVENTS_LATENESS_HOURS: '48',
      EVENTS_PARTITIONS_AHEAD: '3',
      IMPRESSION_TOKEN_TTL_MINUTES: '4320',
    },
  });
  alice = await makeUser(app);
  pin = await makePin(app, alice, (await makeBoard(app, alice)).id);
});

async function partitionDays(): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
     where i.inhparent = 'events'::regclass order by 1`.execute(app.deps.db);
  return rows.map((r) => r.name);
}

const name = (ms: number) => `events_d${dayOf(ms).replaceAll('-', '')}`;

describe('event partitions', () => {
  it('maintenance makes the lateness window and the days ahead, and drops days past retention', async () => {
    const now = Date.now();
    // Old partitions with a row in each, as if left from earlier days.
    for (const ago of [12, 11, 10, 9]) await app.product.events.partitions.ensure([dayOf(now - ago * DAY)]);
    await app.deps.db
      .transaction()
      .execute((trx) =>
        app.product.events.record(trx, [{ kind: 'SAVE', userId: alice.id, at: new Date(now - 12 * DAY) }]),
      );
    const result = await app.product.events.maintain(now);
    const days = await partitionDays();
    for (let i = -2; i <= 3; i++) expect(days).toContain(name(now + i * DAY));
    expect(days).not.toContain(name(now - 12 * DAY));
    expect(days).not.toContain(name(now - 11 * DAY));
    // Exactly retention days back are kept.
    expect(days).toContain(name(now - 10 * DAY));
    expect(days).toContain(name(now - 9 * DAY));
    expect(result.dropped).toEqual([dayOf(now - 12 * DAY), dayOf(now - 11 * DAY)]);
    const again = await app.product.events.maintain(now);
    expect(again).toMatchObject({ created: [], dropped: [] });
  });

  it('makes a partition on demand for an accepted event, even one another process dropped', async () => {
    const now = Date.now();
    const yesterday = now - DAY;
    await app.product.events.maintain(now);
    // Another process dropped it, unknown to this one (which remembers it exists).
    await sql`drop table ${sql.id(name(yesterday))}`.execute(app.deps.db);
    const e = event(tokenFor(app, alice, pin, { now: yesterday - 60_000 }), pin, {
      time: new Date(yesterday).toISOString(),
    });
    const res = await postEvents(app, alice, { events: [e] });
    expect(res.json()).toMatchObject({ accepted: 1, rejected: [] });
    expect(await partitionDays()).toContain(name(yesterday));
    const row = await app.deps.db
      .selectFrom('events')
      .select('day')
      .where('id', '=', `u${alice.id}:${e.event_id}`)
      .executeTakeFirst();
    expect(row).toEqual({ day: dayOf(yesterday) });
  });

  it('prunes token uses whose tokens have expired', async () => {
    const now = Date.now();
    await app.deps.db
      .insertInto('impression_token_uses')
      .values([
        { token_id: 'old-token', kind: 'IMPRESSION', event_id: 'x', expires_at: new Date(now - 1000) },
        { token_id: 'live-token', kind: 'IMPRESSION', event_id: 'y', expires_at: new Date(now + DAY) },
      ])
      .execute();
    const result = await app.product.events.maintain(now);
    expect(result.prunedTokenUses).toBeGreaterThanOrEqual(1);
    const left = await app.deps.db
      .selectFrom('impression_token_uses')
      .select('token_id')
      .where('token_id', 'in', ['old-token', 'live-token'])
      .execute();
    expect(left).toEqual([{ token_id: 'live-token' }]);
  });

  it('runs from the job system of a process that runs jobs', async () => {
    const other = await startTestApp({ env: { EVENTS_PARTITIONS_AHEAD: '5' } });
    const ahead = `events_d${dayOf(Date.now() + 5 * DAY).replaceAll('-', '')}`;
    const deadline = Date.now() + 10_000;
    let names: string[] = [];
    while (Date.now() < deadline) {
      const { rows } = await sql<{ name: string }>`
        select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
         where i.inhparent = 'events'::regclass`.execute(other.deps.db);
      names = rows.map((r) => r.name);
      if (names.includes(ahead)) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(names).toContain(ahead);
  });
});
