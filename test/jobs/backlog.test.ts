import { pino } from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../../src/app.js';
import type { AppModule } from '../../src/modules/module.js';
import { emitUntyped } from '../../src/platform/jobs/outbox.js';
import { eventually, startTestApp } from '../helpers/app.js';
import { makeBoard, makePin, makeUser } from '../helpers/factories.js';
import { testMode } from '../helpers/mode.js';

type LogLine = { level: number; msg: string; [key: string]: unknown };

/** A logger whose lines land in `lines`. */
function capture(lines: LogLine[]) {
  return pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
}

/** The value of one series in /metrics, e.g. gauge(app, 'x', 'topic="pin.created"'); undefined if absent. */
async function gauge(app: App, name: string, labels: string): Promise<number | undefined> {
  const body = (await app.http.inject({ method: 'GET', url: '/metrics' })).body;
  const line = body.split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

const unpublished = (app: App, topic: string) =>
  gauge(app, 'corkboard_outbox_unpublished', `topic="${topic}"`);
const oldest = (app: App, topic: string) =>
  gauge(app, 'corkboard_outbox_oldest_unpublished_seconds', `topic="${topic}"`);

const NO_JOBS = /does not run jobs.*corkboard worker/;

describe('an API process that runs no jobs', () => {
  const lines: LogLine[] = [];
  let app: App;
  beforeAll(async () => {
    app = await startTestApp({ runJobs: false, log: capture(lines) });
  });

  it('warns once at start that a worker must run', () => {
    const warnings = lines.filter((l) => NO_JOBS.test(l.msg));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.level).toBe(40);
    expect(warnings[0]!.mode).toBe(testMode());
    // Embedded PGlite cannot be shared with a worker: the warning says what to do instead.
    if (testMode() === 'embedded') expect(warnings[0]!.hint).toMatch(/RUN_JOBS=true/);
    else expect(warnings[0]!.hint).toBeUndefined();
  });

  it('exports the outbox backlog per topic, growing older, and drained once jobs run', async () => {
    // A topic some consumer reads has a series even with nothing waiting.
    expect(await unpublished(app, 'pin.created')).toBe(0);
    expect(await oldest(app, 'pin.created')).toBe(0);

    const owner = await makeUser(app);
    const board = await makeBoard(app, owner);
    const pinId = await makePin(app, owner, board.id);
    expect(await unpublished(app, 'pin.created')).toBeGreaterThanOrEqual(1);
    expect(await unpublished(app, 'board.created')).toBeGreaterThanOrEqual(1);
    expect(await unpublished(app, 'pin.deleted')).toBe(0);
    const first = (await oldest(app, 'pin.created'))!;
    await new Promise((r) => setTimeout(r, 1200));
    const later = (await oldest(app, 'pin.created'))!;
    expect(later).toBeGreaterThanOrEqual(first + 1);
    expect(await gauge(app, 'corkboard_job_lag_seconds', 'consumer="outbox"')).toBeGreaterThanOrEqual(later);
    const pin = await app.http.inject({
      method: 'GET',
      url: `/v5/pins/${pinId}`,
      headers: await owner.auth(),
    });
    expect(pin.json().dominant_color).toBeNull();

    // A worker joins: in services mode a process of its own on the same database and Redis; in embedded
    // mode (one process per database) this app starts its own jobs.
    const worker =
      testMode() === 'services'
        ? await createApp(app.config, { runJobs: true, api: false, log: pino({ level: 'silent' }) })
        : undefined;
    if (!worker) await app.jobs.start();
    try {
      await eventually(async () => (await unpublished(app, 'pin.created')) === 0, 20_000);
      expect(await oldest(app, 'pin.created')).toBe(0);
      // No consumer reads board.created: its series is there only while rows wait.
      expect(await unpublished(app, 'board.created')).toBeUndefined();
      await eventually(async () => {
        const res = await app.http.inject({
          method: 'GET',
          url: `/v5/pins/${pinId}`,
          headers: await owner.auth(),
        });
        return res.json().dominant_color !== null;
      }, 20_000);
    } finally {
      await worker?.close();
    }
  });
});

describe('/readyz?verbose', () => {
  let app: App;
  beforeAll(async () => {
    app = await startTestApp({ modules: [], runJobs: false, env: { JOBS_STALL_SECONDS: '2' } });
  });

  const verbose = async () => app.http.inject({ method: 'GET', url: '/readyz?verbose' });

  it('reports the jobs stalled once an event has waited past JOBS_STALL_SECONDS, and ok once it moves', async () => {
    const fresh = await verbose();
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json().status).toBe('ok');
    expect(fresh.json().checks).toMatchObject({ database: 'ok', jobs: 'ok' });
    expect(fresh.json().details.jobs).toMatchObject({
      unpublished: 0,
      stall_seconds: 2,
      runs_jobs_here: false,
    });

    await app.deps.db.transaction().execute((trx) => emitUntyped(trx, 'probe.stall', { n: 1 }));
    const waiting = await verbose();
    expect(waiting.json().checks.jobs).toBe('ok');
    expect(waiting.json().details.jobs).toMatchObject({
      unpublished: 1,
      oldest_unpublished_topic: 'probe.stall',
    });

    const stalled = await eventually(async () => {
      const res = await verbose();
      return res.json().checks.jobs === 'stalled' ? res : undefined;
    });
    // A stalled job system leaves this node serving: the status code is the plain readiness one.
    expect(stalled.statusCode).toBe(200);
    expect(stalled.json().status).toBe('degraded');
    expect(stalled.json().details.jobs.oldest_unpublished_seconds).toBeGreaterThanOrEqual(2);
    expect(stalled.json().checks.database).toBe('ok');
    if (app.config.redisUrl) expect(stalled.json().checks.redis).toBe('ok');

    // Plain /readyz, what a load balancer asks, does not look at the jobs.
    const plain = await app.http.inject({ method: 'GET', url: '/readyz' });
    expect(plain.statusCode).toBe(200);
    expect(plain.json()).toEqual({
      status: 'ok',
      checks: app.config.redisUrl ? { database: 'ok', redis: 'ok' } : { database: 'ok' },
    });
    const off = await app.http.inject({ method: 'GET', url: '/readyz?verbose=0' });
    expect(off.json().checks.jobs).toBeUndefined();

    await app.jobs.start();
    const moving = await eventually(async () => {
      const res = await verbose();
      return res.json().checks.jobs === 'ok' ? res : undefined;
    });
    expect(moving.json().status).toBe('ok');
    expect(moving.json().details.jobs).toMatchObject({ unpublished: 0, runs_jobs_here: true });
  });
});

describe('deliveries published and not taken', () => {
  const idle: AppModule = {
    name: 'probe',
    consumers: () => [{ name: 'probe.idle', topics: ['probe.waiting'], async handle() {} }],
  };
  let app: App;
  beforeAll(async () => {
    app = await startTestApp({ modules: [idle], runJobs: true });
    // The consumer group (Redis) exists, and then no process reads it.
    await app.jobs.stop();
  });

  it('count per consumer, with the age of the oldest', async () => {
    await app.deps.db.transaction().execute((trx) => emitUntyped(trx, 'probe.waiting', { n: 1 }));
    expect(await unpublished(app, 'probe.waiting')).toBe(1);
    expect(await app.jobs.relayOnce()).toBe(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await unpublished(app, 'probe.waiting')).toBe(0);
    expect(await gauge(app, 'corkboard_job_backlog', 'consumer="probe.idle"')).toBe(1);
    expect(await gauge(app, 'corkboard_job_lag_seconds', 'consumer="probe.idle"')).toBeGreaterThanOrEqual(1);
  });
});

describe('processes that log no jobs warning', () => {
  const lines: LogLine[] = [];
  beforeAll(async () => {
    await startTestApp({ modules: [], runJobs: true, log: capture(lines) });
    // What the CLI's apps, token and seed commands build.
    await startTestApp({ modules: [], runJobs: false, api: false, log: capture(lines) });
  });

  it('a process running jobs, and a command without the API', () => {
    expect(lines.some((l) => l.msg === 'job system started')).toBe(true);
    expect(lines.filter((l) => NO_JOBS.test(l.msg))).toEqual([]);
  });
});
