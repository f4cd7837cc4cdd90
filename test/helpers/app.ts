import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, inject } from 'vitest';
import { type App, type AppOptions, createApp } from '../../src/app.js';
import { type Config, loadConfig } from '../../src/platform/config.js';
import { servicesUrls, testMode } from './mode.js';

/**
 * An isolated world for one test file: an in-memory PGlite (embedded), or its own PostgreSQL schema and
 * Redis key prefix (services). `env` overrides any setting.
 */
export function testEnv(env: Record<string, string> = {}, isolation = newIsolation()) {
  const base: Record<string, string> = {
    DATA_DIR: path.join(os.tmpdir(), `corkboard-test-${isolation}`),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // JSON lines, whether or not the tests run at a terminal (child processes' lines are parsed).
    LOG_FORMAT: 'json',
    PORT: '0',
    JOB_POLL_MS: '20',
    JOB_BACKOFF_BASE_MS: '20',
    JOB_LEASE_MS: '2000',
    // Suites make many writes with one user's token; the rate-limit tests switch limits on themselves.
    RATE_LIMITS: 'off',
    // Pages written as bytes are checked against their routes' response schemas.
    CHECK_WRITTEN_JSON: 'on',
  };
  if (testMode() === 'services') {
    const { databaseUrl, redisUrl } = servicesUrls();
    Object.assign(base, {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      DB_SCHEMA: `t_${isolation}`,
      REDIS_PREFIX: `t:${isolation}:`,
    });
  } else {
    base.DATABASE_URL = 'memory://';
  }
  return { ...base, ...env };
}

/** A fresh isolation name: this run's tag (global-setup.ts drops what is left of it) and 10 random hex. */
export function newIsolation(): string {
  let run = '';
  try {
    run = inject('testRun') ?? '';
  } catch {
    // Outside a vitest worker (a child process of a test): its parent passed the names it needs.
  }
  return run + randomBytes(5).toString('hex');
}

export function testConfig(env: Record<string, string> = {}): Config {
  return loadConfig(testEnv(env));
}

let template: Promise<Blob | undefined> | undefined;

/**
 * The migrated database every in-memory test app starts from (global-setup.ts made it), read once per
 * test process; undefined outside a vitest worker or in services mode.
 */
export function pgliteTemplate(): Promise<Blob | undefined> {
  template ??= (async () => {
    let file = '';
    try {
      file = inject('pgliteTemplate') ?? '';
    } catch {
      // Outside a vitest worker.
    }
    return file ? new Blob([await readFile(file)]) : undefined;
  })();
  return template;
}

/** Starts an app for the current file and closes it (and drops its schema and keys) after the file. */
export async function startTestApp(
  options: AppOptions & { env?: Record<string, string>; config?: Config } = {},
): Promise<App> {
  const config = options.config ?? testConfig(options.env);
  const from = config.databaseUrl?.startsWith('memory:') ? await pgliteTemplate() : undefined;
  const app = await createApp(config, {
    runJobs: true,
    ...(from ? { pgliteTemplate: from } : {}),
    ...options,
  });
  afterAll(async () => {
    await app.close();
    await dropIsolation(config);
    await rm(config.dataDir, { recursive: true, force: true });
  });
  return app;
}

/** Removes a services-mode test's schema and Redis keys. */
export async function dropIsolation(config: Config): Promise<void> {
  if (testMode() !== 'services') return;
  const client = new pg.Client({ connectionString: config.databaseUrl });
  await client.connect();
  try {
    await client.query(`drop schema if exists "${config.dbSchema}" cascade`);
  } finally {
    await client.end();
  }
  const { Redis } = await import('ioredis');
  const redis = new Redis(config.redisUrl!);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.redisPrefix}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/** Polls `check` until it returns a truthy value or the timeout passes. */
export async function eventually<T>(
  check: () => Promise<T>,
  timeoutMs = 10_000,
  stepMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, stepMs));
  }
  throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
}
