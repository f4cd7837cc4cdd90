import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Config } from '../../src/platform/config.js';
import { loadConfig } from '../../src/platform/config.js';
import { type DatabaseHandle, openDatabase } from '../../src/platform/db/database.js';
import { createLogger } from '../../src/platform/logger.js';
import { dropIsolation, testEnv } from '../helpers/app.js';
import { testMode } from '../helpers/mode.js';

/**
 * The environment for fixture processes that share one database: in services mode an isolated schema and
 * Redis prefix (testEnv); in embedded mode a fresh on-disk DATA_DIR, since `memory://` cannot be shared
 * between processes. `cleanup` drops the schema and keys, or removes the directory.
 */
export async function processEnv(env: Record<string, string> = {}): Promise<{
  env: Record<string, string>;
  config: Config;
  cleanup: () => Promise<void>;
}> {
  let dataDir: string | undefined;
  const extra: Record<string, string> = {};
  if (testMode() === 'embedded') {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'corkboard-process-'));
    // Empty values count as unset: on-disk PGlite in DATA_DIR, in-process cache and jobs.
    Object.assign(extra, { DATABASE_URL: '', REDIS_URL: '', DATA_DIR: dataDir });
  }
  const merged = testEnv({ ...extra, ...env });
  const config = loadConfig({ ...process.env, ...merged });
  return {
    env: merged,
    config,
    async cleanup() {
      if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
      else await dropIsolation(config);
    },
  };
}

/** Opens the fixtures' database from the test process (embedded: only once no fixture holds DATA_DIR). */
export function openForInspection(config: Config): Promise<DatabaseHandle> {
  return openDatabase(config, createLogger({ logLevel: 'silent' }));
}
