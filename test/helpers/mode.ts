/** Which adapters the database-backed suites run on: `embedded` (PGlite, in-process) or `services`. */
export type TestMode = 'embedded' | 'services';

export function testMode(): TestMode {
  return process.env.CORKBOARD_TEST_MODE === 'services' ? 'services' : 'embedded';
}

/** The PostgreSQL and Redis URLs of a services run; throws (never skips) when they are missing. */
export function servicesUrls(): { databaseUrl: string; redisUrl: string } {
  const databaseUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!databaseUrl || !redisUrl) {
    throw new Error('services test mode needs DATABASE_URL and REDIS_URL to be set');
  }
  return { databaseUrl, redisUrl };
}
