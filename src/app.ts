import type { Redis } from 'ioredis';
import type { RateLimitCheck } from './http/auth.js';
import type { Advisory } from './http/readiness.js';
import type { HttpServer } from './http/server.js';
import { buildHttpServer } from './http/server.js';
import { buildProduct, type Product } from './modules/index.js';
import type { AppModule, ModuleDeps } from './modules/module.js';
import { Bookmarks } from './platform/bookmarks.js';
import type { Cache } from './platform/cache/cache.js';
import { MemoryCache } from './platform/cache/memory-cache.js';
import { RedisCache } from './platform/cache/redis-cache.js';
import type { Config } from './platform/config.js';
import { type DatabaseHandle, migrate, openDatabase } from './platform/db/database.js';
import { IdGenerator } from './platform/ids.js';
import { LocalBlobStore } from './platform/images/blob-store.js';
import { DbBroker } from './platform/jobs/db-broker.js';
import { registerJobGauges } from './platform/jobs/job-gauges.js';
import { JobSystem } from './platform/jobs/job-system.js';
import { OutboxBacklog } from './platform/jobs/outbox-backlog.js';
import { RedisStreamsBroker } from './platform/jobs/redis-broker.js';
import type { Broker } from './platform/jobs/types.js';
import { createLogger, type Logger } from './platform/logger.js';
import { createMetrics, type Metrics } from './platform/metrics.js';
import { MemoryRateLimiter } from './platform/rate-limit/memory-rate-limiter.js';
import { isRateLimitCategory, rateLimitKey } from './platform/rate-limit/policy.js';
import type { RateLimiter } from './platform/rate-limit/rate-limiter.js';
import { RedisRateLimiter } from './platform/rate-limit/redis-rate-limiter.js';
import { createRedis } from './platform/redis.js';
import { instanceSecret } from './platform/secrets.js';
import { MemorySpendStore } from './platform/spend/memory-spend-store.js';
import { RedisSpendStore } from './platform/spend/redis-spend-store.js';

export interface AppOptions {
  log?: Logger;
  /** Modules to run instead of the product's (tests run probe modules on the same plumbing). */
  modules?: readonly AppModule[];
  /** Modules to run besides the product's. */
  extraModules?: readonly AppModule[];
  /** Run migrations before anything else (default true). */
  migrate?: boolean;
  /** Run the outbox relay and job consumers in this process (default: config.runJobs). */
  runJobs?: boolean;
  /** Build the API routes (default true); a worker builds only health and metrics. */
  api?: boolean;
  /** An in-memory PGlite starts from this dump (see OpenOptions: tests start from a migrated copy). */
  pgliteTemplate?: Blob;
}

export interface App {
  readonly config: Config;
  readonly log: Logger;
  readonly database: DatabaseHandle;
  readonly redis: Redis | undefined;
  readonly cache: Cache;
  readonly metrics: Metrics;
  readonly jobs: JobSystem;
  readonly http: HttpServer;
  readonly deps: ModuleDeps;
  readonly product: Product;
  /** Starts listening; resolves with the address. */
  listen(): Promise<string>;
  /** Graceful stop: no new requests, drain in-flight requests and jobs, close connections. */
  close(): Promise<void>;
}

/** Rate limits per user and app from config, kept in Redis (shared by every node) or in memory. */
function rateLimitCheck(config: Config, limiter: RateLimiter): RateLimitCheck | undefined {
  const table = config.rateLimits;
  if (!table) return undefined;
  return async (principal, category) => {
    const c = isRateLimitCategory(category) ? category : 'default';
    return limiter.hit(rateLimitKey(c, principal.userId, principal.appId), table[c]);
  };
}

/** What `/readyz?verbose` says of the jobs: whether the outbox moves, and whether this process moves it. */
async function jobsAdvisory(outbox: OutboxBacklog, stallSeconds: number, jobs: JobSystem): Promise<Advisory> {
  const h = await outbox.health(stallSeconds);
  return {
    status: h.status,
    details: {
      unpublished: h.unpublished,
      oldest_unpublished_seconds: h.oldestUnpublishedSeconds,
      oldest_unpublished_topic: h.oldestUnpublishedTopic,
      stall_seconds: h.stallSeconds,
      runs_jobs_here: jobs.isRunning,
    },
  };
}

/**
 * An API process that leaves jobs to others says so once at start: without a worker, nothing relays the
 * outbox, and pins get no images, analytics stay at zero, feeds and search never catch up, with no error.
 */
function warnNoJobs(log: Logger, config: Config): void {
  const pglite = config.databaseUrl === undefined || config.databaseUrl.startsWith('memory:');
  log.warn(
    {
      mode: config.redisUrl ? 'services' : 'embedded',
      runJobs: false,
      // No other process can open an embedded database: there, only RUN_JOBS=true runs them.
      ...(pglite ? { hint: 'PGlite serves one process: set RUN_JOBS=true' } : {}),
    },
    'this process does not run jobs (RUN_JOBS=false): a `corkboard worker` must run for images, analytics, feeds and search to progress',
  );
}

/** The composition root: config -> platform adapters -> modules -> HTTP server. */
export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const log = options.log ?? createLogger(config);
  const database = await openDatabase(config, log, {
    ...(options.pgliteTemplate ? { pgliteTemplate: options.pgliteTemplate } : {}),
  });
  const closers: (() => Promise<unknown>)[] = [() => database.close()];
  try {
    if (options.migrate !== false) await migrate(database, config.dbSchema, log);
    const redis = config.redisUrl ? createRedis(config.redisUrl, log) : undefined;
    if (redis) closers.unshift(() => redis.quit().catch(() => redis.disconnect()));
    const subscriber = config.redisUrl ? createRedis(config.redisUrl, log) : undefined;
    if (subscriber) closers.unshift(() => subscriber.quit().catch(() => subscriber.disconnect()));
    const cache: Cache = redis
      ? new RedisCache(redis, config.redisPrefix, {
          localEntries: config.cacheMaxEntries,
          subscriber,
          onError: (err) => log.warn({ err }, 'cache invalidation channel'),
        })
      : new MemoryCache(config.cacheMaxEntries);
    const metrics = createMetrics();
    const db = database.db;
    const bookmarks = new Bookmarks(await instanceSecret(db, 'bookmarks'));
    let jobs: JobSystem | undefined;
    // One limiter for API quotas and guessing throttles; in Redis, every node shares its counts.
    const rateLimiter = redis ? new RedisRateLimiter(redis, config.redisPrefix) : new MemoryRateLimiter();
    // Ad budgets are hard caps only if every node reserves against the same totals: Redis when shared.
    const spend = redis ? new RedisSpendStore(redis, config.redisPrefix) : new MemorySpendStore();
    const deps: ModuleDeps = {
      config,
      db,
      cache,
      ids: new IdGenerator(db, config.shardId),
      bookmarks,
      blobs: new LocalBlobStore(config.mediaDir),
      log,
      metrics,
      redis,
      rateLimiter,
      spend,
      impressionTokenKey: await instanceSecret(db, 'impression-tokens'),
      eventsCommitted: () => jobs?.poke(),
    };
    const product = buildProduct(deps);
    const modules = [...(options.modules ?? product.modules), ...(options.extraModules ?? [])];
    const consumers = modules.flatMap((m) => m.consumers?.(deps) ?? []);
    const tasks = modules.flatMap((m) => m.periodic?.(deps) ?? []);
    const broker: Broker = redis
      ? new RedisStreamsBroker(
          redis,
          () => createRedis(config.redisUrl!, log),
          db,
          log,
          metrics.jobs,
          {
            prefix: config.redisPrefix,
            maxAttempts: config.jobMaxAttempts,
            leaseMs: config.jobLeaseMs,
            pollMs: config.jobPollMs,
            backoffBaseMs: config.jobBackoffBaseMs,
          },
          consumers,
        )
      : new DbBroker(
          db,
          log,
          metrics.jobs,
          {
            maxAttempts: config.jobMaxAttempts,
            leaseMs: config.jobLeaseMs,
            pollMs: config.jobPollMs,
            backoffBaseMs: config.jobBackoffBaseMs,
          },
          consumers,
        );
    jobs = new JobSystem(db, broker, consumers, log, {
      pollMs: config.jobPollMs,
      reconcileAfterMs: config.jobReconcileAfterMs,
      retentionMs: config.jobRetentionDays * 24 * 3_600_000,
      tasks,
    });

    metrics.gauge(
      'corkboard_db_pool_connections',
      'Database connections by state (idle, busy, waiting requests).',
      ['state'] as const,
      (set) => {
        const s = database.poolStats();
        set({ state: 'total' }, s.total);
        set({ state: 'idle' }, s.idle);
        set({ state: 'busy' }, s.busy);
        set({ state: 'waiting' }, s.waiting);
      },
    );
    const jobSystem = jobs;
    const outbox = new OutboxBacklog(db, [...new Set(consumers.flatMap((c) => c.topics))]);
    registerJobGauges(metrics, broker, outbox);

    const readiness: Record<string, () => Promise<void>> = { database: () => database.ping() };
    if (redis) {
      readiness.redis = async () => {
        await redis.ping();
      };
    }
    const api = options.api !== false;
    const runJobs = options.runJobs ?? config.runJobs;
    const http = await buildHttpServer({
      config,
      log,
      metrics,
      readiness,
      advisories: { jobs: () => jobsAdvisory(outbox, config.jobsStallSeconds, jobSystem) },
      docs: api,
      authenticate: product.authenticate,
      rateLimit: rateLimitCheck(config, rateLimiter),
    });
    if (api) {
      for (const m of modules) await m.routes?.(http, deps);
    }
    await http.ready();

    if (runJobs) await jobs.start();
    else if (api) warnNoJobs(log, config);

    let closing: Promise<void> | undefined;
    return {
      config,
      log,
      database,
      redis,
      cache,
      metrics,
      jobs: jobSystem,
      http,
      deps,
      product,
      async listen() {
        return http.listen({ port: config.port, host: config.host });
      },
      close() {
        closing ??= (async () => {
          await http.close();
          // Exposures read by the last requests go out before the database closes.
          await product.exposures.close();
          await jobSystem.stop();
          // Budget this node holds in blocks and never handed out goes back before the store closes.
          await product.promotions
            .close()
            .catch((err: unknown) => log.warn({ err }, 'could not give back budget blocks'));
          await cache.close();
          await spend.close();
          for (const close of closers) await close();
        })();
        return closing;
      },
    };
  } catch (err) {
    for (const close of closers) await close().catch(() => {});
    throw err;
  }
}
