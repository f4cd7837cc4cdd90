import type { Redis } from 'ioredis';
import type { HttpServer } from '../http/server.js';
import type { Bookmarks } from '../platform/bookmarks.js';
import type { Cache } from '../platform/cache/cache.js';
import type { Config } from '../platform/config.js';
import type { Db } from '../platform/db/database.js';
import type { IdGenerator } from '../platform/ids.js';
import type { BlobStore } from '../platform/images/blob-store.js';
import type { Consumer, PeriodicTask } from '../platform/jobs/types.js';
import type { Logger } from '../platform/logger.js';
import type { Metrics } from '../platform/metrics.js';
import type { RateLimiter } from '../platform/rate-limit/rate-limiter.js';
import type { SpendStore } from '../platform/spend/spend-store.js';

/** What the composition root hands each module; a module takes only what it uses. */
export interface ModuleDeps {
  readonly config: Config;
  readonly db: Db;
  readonly cache: Cache;
  readonly ids: IdGenerator;
  readonly bookmarks: Bookmarks;
  readonly blobs: BlobStore;
  readonly log: Logger;
  /** Redis in services mode; undefined in embedded mode. */
  readonly redis: Redis | undefined;
  readonly metrics: Metrics;
  /** Counts for API quotas and guessing throttles (Redis in services mode, shared by every node). */
  readonly rateLimiter: RateLimiter;
  /** Ad spend reserved and settled against budgets (Redis in services mode, shared by every node). */
  readonly spend: SpendStore;
  /** Key of the impression tokens (the `impression-tokens` instance secret, shared by every node). */
  readonly impressionTokenKey: Buffer;
  /** Wakes the outbox relay after a transaction that emitted events has committed. */
  readonly eventsCommitted: () => void;
}

/** One capability: its HTTP routes and the job consumers it runs. */
export interface AppModule {
  readonly name: string;
  routes?(app: HttpServer, deps: ModuleDeps): void | Promise<void>;
  consumers?(deps: ModuleDeps): Consumer[];
  /** Upkeep run by every process that runs jobs (at start, then periodically). */
  periodic?(deps: ModuleDeps): PeriodicTask[];
}
