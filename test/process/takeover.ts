/**
 * What the takeover tests share (a job worker SIGKILLed mid-delivery, and the worker that takes the
 * delivery over): their workers' environment, the kill and the replacement, and reading the database after.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, expect } from 'vitest';
import type { Config } from '../../src/platform/config.js';
import type { Db } from '../../src/platform/db/database.js';
import { testMode } from '../helpers/mode.js';
import { type Child, Children } from './child.js';
import { openForInspection, processEnv } from './env.js';

/** How long a worker's delivery lease lasts: short, so that a replacement takes a delivery over soon. */
export const LEASE_MS = 1500;

/**
 * The workers of one describe block: `children` are SIGKILLed after each test; `env` gives each test its
 * own processEnv with short leases, a few attempts, quiet logs and no demo data, cleaned up after all tests.
 */
export function useWorkers() {
  const children = new Children();
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(() => children.stopAll());
  afterAll(async () => {
    for (const c of cleanups) await c();
  });
  return {
    children,
    async env(extra: Record<string, string>) {
      const made = await processEnv({
        JOB_LEASE_MS: String(LEASE_MS),
        JOB_MAX_ATTEMPTS: '5',
        LOG_LEVEL: 'warn',
        SEED_DEMO: 'false',
        ...extra,
      });
      cleanups.push(made.cleanup);
      return made;
    },
  };
}

/**
 * SIGKILLs `first` and has `start` start the worker that takes over, which it answers. In services mode
 * the replacement is running before the first dies: past the lease it claims the delivery from Redis's
 * pending list, but cannot get past the delivery record the first still holds (`meanwhile` checks it
 * then, just before the kill). In embedded mode, one process per DATA_DIR, the replacement starts once the
 * first is gone (its pid file is stale).
 */
export async function killAndReplace(
  first: Child,
  start: () => Child,
  meanwhile?: (second: Child) => void,
): Promise<Child> {
  if (testMode() !== 'services') {
    await sigkill(first);
    return start();
  }
  const second = start();
  await second.address(60_000);
  await sleep(LEASE_MS * 2 + 500);
  meanwhile?.(second);
  await sigkill(first);
  return second;
}

async function sigkill(child: Child): Promise<void> {
  child.kill('SIGKILL');
  expect((await child.exited).signal).toBe('SIGKILL');
}

/** What `read` answers from the workers' database, opened for it from the test process and closed after. */
export async function inspect<T>(config: Config, read: (db: Db) => Promise<T>): Promise<T> {
  const database = await openForInspection(config);
  try {
    return await read(database.db);
  } finally {
    await database.close();
  }
}
