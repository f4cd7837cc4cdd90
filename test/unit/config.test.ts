import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config.js';

describe('loadConfig', () => {
  it('keeps the guessing throttle on unless AUTH_THROTTLE turns it off, whatever RATE_LIMITS says', () => {
    expect(loadConfig({}).authThrottle).toBe(true);
    expect(loadConfig({ RATE_LIMITS: 'off' }).authThrottle).toBe(true);
    expect(loadConfig({ AUTH_THROTTLE: 'off' }).authThrottle).toBe(false);
    expect(() => loadConfig({ AUTH_THROTTLE: 'sometimes' })).toThrow(/AUTH_THROTTLE/);
  });

  it('trusts no proxy by default; TRUST_PROXY takes on, a hop count or addresses and CIDRs', () => {
    expect(loadConfig({}).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'off' }).trustProxy).toBe(false);
    expect(loadConfig({ TRUST_PROXY: 'on' }).trustProxy).toBe(true);
    expect(loadConfig({ TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(loadConfig({ TRUST_PROXY: '10.0.0.0/8, 127.0.0.1,::1,fd00::/8' }).trustProxy).toEqual([
      '10.0.0.0/8',
      '127.0.0.1',
      '::1',
      'fd00::/8',
    ]);
    for (const bad of ['10.0.0.0/33', 'proxy.local', '10.0.0.1/8/2', '::1/129', '99']) {
      expect(() => loadConfig({ TRUST_PROXY: bad }), bad).toThrow(/TRUST_PROXY/);
    }
  });

  it('gives a working embedded default with no environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(8080);
    expect(c.host).toBe('127.0.0.1');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
    expect(c.runJobs).toBe(true);
    expect(c.publicUrl).toBe('http://localhost:8080');
    expect(c.shardId).toBe(1);
    expect(Object.isFrozen(c)).toBe(true);
  });

  it('reads the media upload limits, with defaults, and refuses a bad one naming it', () => {
    const d = loadConfig({});
    expect(d.mediaQuotaBytes).toBe(2 * 1024 ** 3);
    expect(d.mediaPendingMax).toBe(20);
    expect(d.mediaUnusedTtlMs).toBe(24 * 3600_000);
    const c = loadConfig({
      MEDIA_QUOTA_BYTES: '5000',
      MEDIA_PENDING_MAX: '2',
      MEDIA_UNUSED_TTL_MINUTES: '30',
    });
    expect([c.mediaQuotaBytes, c.mediaPendingMax, c.mediaUnusedTtlMs]).toEqual([5000, 2, 30 * 60_000]);
    expect(() => loadConfig({ MEDIA_UNUSED_TTL_MINUTES: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ MEDIA_PENDING_MAX: 'lots' })).toThrow(/MEDIA_PENDING_MAX/);
  });

  it('reads services settings and lets API nodes leave jobs to workers', () => {
    const c = loadConfig({
      DATABASE_URL: 'postgres://u@db:5432/corkboard',
      REDIS_URL: 'redis://cache:6379',
      PUBLIC_URL: 'https://pins.example.org/',
      PORT: '3000',
    });
    expect(c.databaseUrl).toBe('postgres://u@db:5432/corkboard');
    expect(c.redisUrl).toBe('redis://cache:6379');
    expect(c.runJobs).toBe(false);
    expect(c.publicUrl).toBe('https://pins.example.org');
    expect(loadConfig({ REDIS_URL: 'redis://x', RUN_JOBS: 'true' }).runJobs).toBe(true);
  });

  it('reports jobs as stalled after JOBS_STALL_SECONDS, 120 by default', () => {
    expect(loadConfig({}).jobsStallSeconds).toBe(120);
    expect(loadConfig({ JOBS_STALL_SECONDS: '30' }).jobsStallSeconds).toBe(30);
    expect(() => loadConfig({ JOBS_STALL_SECONDS: '0' })).toThrow(/JOBS_STALL_SECONDS/);
    expect(() => loadConfig({ JOBS_STALL_SECONDS: 'soon' })).toThrow(/JOBS_STALL_SECONDS/);
  });

  it('reads the auction currency (USD by default) and exchange rates, and refuses bad ones naming them', () => {
    expect(loadConfig({}).adsServing).toMatchObject({ auctionCurrency: 'USD', exchangeRates: {} });
    const c = loadConfig({
      ADS_AUCTION_CURRENCY: 'EUR',
      ADS_EXCHANGE_RATES: 'USD=0.93, JPY=0.0062,GBP=1.17',
    });
    expect(c.adsServing.auctionCurrency).toBe('EUR');
    expect(c.adsServing.exchangeRates).toEqual({ USD: 0.93, JPY: 0.0062, GBP: 1.17 });
    expect(() => loadConfig({ ADS_AUCTION_CURRENCY: 'usd' })).toThrow(/ADS_AUCTION_CURRENCY/);
    for (const bad of ['EUR', 'EUR=0', 'EUR=-1', 'EUR=1.2.3', 'euro=1', 'EUR=1;GBP=2'])
      expect(() => loadConfig({ ADS_EXCHANGE_RATES: bad })).toThrow(/ADS_EXCHANGE_RATES/);
  });

  it('reads the budget block window (1 s by default) and refuses one out of range naming it', () => {
    expect(loadConfig({}).adsServing.budgetBlockMs).toBe(1_000);
    expect(loadConfig({ ADS_BUDGET_BLOCK_MS: '250' }).adsServing.budgetBlockMs).toBe(250);
    for (const bad of ['99', '60001', 'soon'])
      expect(() => loadConfig({ ADS_BUDGET_BLOCK_MS: bad })).toThrow(/ADS_BUDGET_BLOCK_MS/);
  });

  it('reads the ads attribution windows (click 30 days, view 1 by default) and refuses a bad one naming it', () => {
    const d = loadConfig({});
    expect([d.adsAttributionClickDays, d.adsAttributionViewDays]).toEqual([30, 1]);
    const c = loadConfig({ ADS_ATTRIBUTION_CLICK_DAYS: '7', ADS_ATTRIBUTION_VIEW_DAYS: '0' });
    expect([c.adsAttributionClickDays, c.adsAttributionViewDays]).toEqual([7, 0]);
    expect(() => loadConfig({ ADS_ATTRIBUTION_CLICK_DAYS: '0' })).toThrow(/ADS_ATTRIBUTION_CLICK_DAYS/);
    expect(() => loadConfig({ ADS_ATTRIBUTION_CLICK_DAYS: '366' })).toThrow(/ADS_ATTRIBUTION_CLICK_DAYS/);
    expect(() => loadConfig({ ADS_ATTRIBUTION_VIEW_DAYS: '-1' })).toThrow(/ADS_ATTRIBUTION_VIEW_DAYS/);
    expect(() => loadConfig({ ADS_ATTRIBUTION_VIEW_DAYS: 'a day' })).toThrow(/ADS_ATTRIBUTION_VIEW_DAYS/);
  });

  it.each([
    ['PORT', 'eighty', /PORT: expected an integer/],
    ['PORT', '70000', /PORT: expected 0\.\.65535/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL: expected a URL starting with/],
    ['DATABASE_URL', 'not a url', /DATABASE_URL: is not a valid URL/],
    ['REDIS_URL', 'http://x', /REDIS_URL/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: expected one of/],
    ['SHARD_ID', '65536', /SHARD_ID/],
    ['RUN_JOBS', 'maybe', /RUN_JOBS: expected true or false/],
    ['DB_SCHEMA', 'Robert"; drop', /DB_SCHEMA/],
    ['BODY_LIMIT_BYTES', '-1', /BODY_LIMIT_BYTES/],
  ])('rejects %s=%s naming the variable', (name, value, message) => {
    let thrown: unknown;
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as ConfigError).variable).toBe(name);
    expect((thrown as Error).message).toMatch(message);
  });
});
