import type { Db } from '../../platform/db/database.js';
import { addDays, type Counts, utcDay, ZERO } from './analytics.metrics.js';
import { analyticsRepository as repo } from './analytics.repository.js';

/** `pin_metrics` of a pin read: the last 90 days (today included) and the lifetime. */
export interface PinMetrics {
  '90d': PinMetricCounts;
  lifetime_metrics: PinMetricCounts;
}
export interface PinMetricCounts {
  impression: number;
  save: number;
  pin_click: number;
  /** Outbound clicks. */
  clickthrough: number;
}

const toPinMetricCounts = (c: Counts): PinMetricCounts => ({
  impression: c.impressions,
  save: c.saves,
  pin_click: c.pin_clicks,
  clickthrough: c.outbound_clicks,
});

/**
 * `pin_metrics` for pin reads, from the daily rollup. It depends on nothing but the database, so the pins
 * module is built with it (the analytics endpoints, which check pins' visibility, are built after pins).
 */
export class PinMetricsReader {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** 90 days including today, and lifetime, all app types; no access check (the caller makes it). */
  async of(pinIds: readonly string[]): Promise<Map<string, PinMetrics>> {
    const out = new Map<string, PinMetrics>();
    if (pinIds.length === 0) return out;
    const since = addDays(utcDay(new Date(this.now())), -89);
    const rows = await repo.pinRecentAndLifetime(this.db, pinIds, since);
    const byId = new Map(rows.map((r) => [r.pin_id, r]));
    for (const id of pinIds) {
      const r = byId.get(id);
      out.set(id, {
        '90d': toPinMetricCounts(r?.recent ?? ZERO),
        lifetime_metrics: toPinMetricCounts(r?.lifetime ?? ZERO),
      });
    }
    return out;
  }
}

/**
 * `monthly_views` of GET /v5/user_account: impressions of the person's pins over the last 30 days (today
 * included), from the daily creator rollup. Like PinMetricsReader it needs only the database, so the
 * accounts module is built with it.
 */
export class MonthlyViewsReader {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  async of(userId: string): Promise<number> {
    const since = addDays(utcDay(new Date(this.now())), -29);
    const row = await this.db
      .selectFrom('creator_daily_rollups')
      .select((eb) => eb.fn.coalesce(eb.fn.sum<string>('impressions'), eb.val('0')).as('views'))
      .where('user_id', '=', userId)
      .where('day', '>=', since)
      .executeTakeFirst();
    return Number(row?.views ?? 0);
  }
}
