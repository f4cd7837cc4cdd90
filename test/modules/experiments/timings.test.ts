import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import type { App } from '../../../src/app.js';
import type { TimingEvent } from '../../../src/modules/events/index.js';
import { TimingBuffer } from '../../../src/modules/experiments/exposure/timing-buffer.js';
import { createLogger } from '../../../src/platform/logger.js';
import { createMetrics } from '../../../src/platform/metrics.js';
import { startTestApp } from '../../helpers/app.js';

const DAY = 86_400_000;
const silent = () => createLogger({ logLevel: 'silent' });

describe('the feed timing buffer', () => {
  it("gathers a unit's requests per UTC day into one event: a count and the milliseconds summed", async () => {
    const written: TimingEvent[] = [];
    let now = Date.parse('2026-01-01T23:59:59Z');
    const buffer = new TimingBuffer(
      async (ts) => {
        written.push(...ts);
        return ts.length;
      },
      silent(),
      createMetrics(),
      () => now,
      { flushMs: 60_000 },
    );
    buffer.record({ userId: '1' }, 10.25);
    buffer.record({ userId: '1' }, 20.5);
    buffer.record({ deviceId: 'tab-1' }, 7);
    now += 2_000; // past midnight: a new day, a new event
    buffer.record({ userId: '1' }, 5);
    buffer.record({ userId: '2' }, Number.NaN); // not a time: ignored
    buffer.record({ userId: '2' }, -1);
    expect(buffer.waiting).toBe(4);
    await buffer.flush();
    expect(buffer.waiting).toBe(0);
    const summary = written.map((t) => [t.id.split(':')[0], t.requests, t.ms, t.at.toISOString()]);
    expect(summary).toEqual([
      ['u1', 2, 31, '2026-01-01T23:59:59.000Z'],
      ['dtab-1', 1, 7, '2026-01-01T23:59:59.000Z'],
      ['u1', 1, 5, '2026-01-02T00:00:01.000Z'],
    ]);
    expect(new Set(written.map((t) => t.id)).size).toBe(3);
    for (const t of written) expect(t.id).toMatch(/^(u1|dtab-1):t:[0-9a-f]{12}:\d+$/);
  });

  it('retries a failed write with the same ids, drops after maxAttempts and past the bound, never throws', async () => {
    const metrics = createMetrics();
    let fail = true;
    const tries: string[][] = [];
    const buffer = new TimingBuffer(
      async (ts) => {
        tries.push(ts.map((t) => t.id));
        if (fail) throw new Error('database away');
        return ts.length;
      },
      silent(),
      metrics,
      Date.now,
      { flushMs: 60_000, maxAttempts: 3, maxUnits: 2 },
    );
    expect(() => buffer.record({ userId: '1' }, 3)).not.toThrow();
    buffer.record({ userId: '1' }, 4);
    buffer.record({ userId: '2' }, 5);
    buffer.record({ userId: '3' }, 6); // a third unit: past maxUnits, dropped
    await expect(buffer.flush()).resolves.toBeUndefined();
    expect(buffer.waiting).toBe(3);
    fail = false;
    await buffer.flush();
    expect(tries[1]).toEqual(tries[0]); // the same events, the same ids
    expect(buffer.waiting).toBe(0);
    fail = true;
    buffer.record({ userId: '4' }, 1);
    for (let i = 0; i < 3; i++) await buffer.flush();
    expect(buffer.waiting).toBe(0);
    await buffer.close();
    buffer.record({ userId: '5' }, 1); // closed: ignored
    expect(buffer.waiting).toBe(0);
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/corkboard_experiment_timings_total\{outcome="stored"\} 3/);
    expect(text).toMatch(/corkboard_experiment_timings_total\{outcome="dropped"\} 2/);
    expect(text).toMatch(/corkboard_experiment_timings_total\{outcome="failed"\} 6/);
  });
});

describe('FEED_TIMING on the event stream', () => {
  let app: App;
  beforeAll(async () => {
    app = await startTestApp({ runJobs: false });
  });

  it('stores each event once, however often it is written, announced on events.batch', async () => {
    const at = new Date(Math.floor(Date.now() / DAY) * DAY + 3_600_000);
    const t: TimingEvent[] = [
      { id: 'u77:t:abcdefabcdef:0', unit: { userId: '77' }, requests: 4, ms: 123, at },
      { id: 'ddev-9:t:abcdefabcdef:1', unit: { deviceId: 'dev-9' }, requests: 1, ms: 9, at },
    ];
    expect(await app.product.events.recordTimings(t)).toBe(2);
    expect(await app.product.events.recordTimings(t)).toBe(0);
    const { rows } = await sql<{
      id: string;
      kind: string;
      user_id: string | null;
      device_id: string | null;
      timing_requests: number;
      timing_ms: string;
      batch_id: string;
    }>`select id, kind, user_id::text as user_id, device_id, timing_requests, timing_ms::text as timing_ms,
              batch_id::text as batch_id
         from events where kind = 'FEED_TIMING' order by id`.execute(app.deps.db);
    expect(rows.map(({ batch_id: _, ...r }) => r)).toEqual([
      {
        id: 'ddev-9:t:abcdefabcdef:1',
        kind: 'FEED_TIMING',
        user_id: null,
        device_id: 'dev-9',
        timing_requests: 1,
        timing_ms: '9',
      },
      {
        id: 'u77:t:abcdefabcdef:0',
        kind: 'FEED_TIMING',
        user_id: '77',
        device_id: null,
        timing_requests: 4,
        timing_ms: '123',
      },
    ]);
    const { rows: outbox } = await sql<{ n: number }>`select count(*)::int as n from outbox
      where topic = 'events.batch' and payload->>'batchId' = ${rows[0]!.batch_id}`.execute(app.deps.db);
    expect(outbox[0]!.n).toBe(1);
  });
});
