import { servicesUrls, testMode } from './mode.js';

/** A services run fails at once, loudly, when PostgreSQL or Redis is missing or unreachable. */
export default async function setup(): Promise<void> {
  if (testMode() !== 'services') return;
  const { databaseUrl, redisUrl } = servicesUrls();
  const pg = await import('pg');
  const client = new pg.default.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw new Error(`PostgreSQL at DATABASE_URL is not reachable: ${(err as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
  const { Redis } = await import('ioredis');
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 5000 });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Redis at REDIS_URL is not reachable: ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
}
