import { randomBytes } from 'node:crypto';
import { LRUCache } from 'lru-cache';
import type { Static } from 'typebox';
import type { Cache } from '../../platform/cache/cache.js';
import type { Db } from '../../platform/db/database.js';
import { Invalid, NotFound } from '../../platform/errors.js';
import type { Principal } from '../../platform/principal.js';
import type { PinsService } from '../pins/index.js';
import {
  addCounts,
  addDays,
  type Counts,
  checkRange,
  daysBetween,
  lifetimeValues,
  metricValues,
  utcDay,
  ZERO,
} from './analytics.metrics.js';
import {
  appTypeFilter,
  inSplit,
  matchesNothing,
  noBusinessAccess,
  parseList,
  requiredMetrics,
  SORT_COLUMN,
  type Split,
  splitsOf,
  USER_METRIC_TYPES,
} from './analytics.params.js';
import { type DayRow, analyticsRepository as repo } from './analytics.repository.js';
import {
  type MultiPinAnalyticsQuery,
  type PinAnalyticsQuery,
  type TopPinsQuery,
  type TopVideoPinsQuery,
  type UserAnalyticsQuery,
  VIDEO_SORT_BY,
} from './analytics.schemas.js';
import type { PopularitySignals } from './popularity/popularity.js';
import type { PopularityService } from './popularity/popularity.service.js';
import type { RollupProgress } from './rollup-progress.js';

type DataStatus = 'READY' | 'PROCESSING' | 'BEFORE_PIN_CREATED';
type Series = {
  daily_metrics: { date: string; data_status: DataStatus; metrics: Record<string, number> }[];
  summary_metrics: Record<string, number>;
};
type PinReport = Record<string, Series & { lifetime_metrics: Record<string, number> }>;

const generationKey = (userId: string) => `analytics-generation:${userId}`;
const GENERATION_TTL_MS = 24 * 3_600_000;
const REPORT_TTL_MS = 60_000;

/** The analytics endpoints' answers, `pin_metrics` for pin reads, and popularity signals. */
export class AnalyticsService {
  /** Finished user-account answers of this process, keyed by everything they depend on. */
  private readonly answers = new LRUCache<string, Buffer>({ max: 1_000, ttl: REPORT_TTL_MS });
  constructor(
    private readonly deps: {
      db: Db;
      cache: Cache;
      pins: PinsService;
      progress: RollupProgress;
      popularity: PopularityService;
      now?: () => number;
    },
  ) {}

  private now(): Date {
    return new Date(this.deps.now?.() ?? Date.now());
  }

  /** GET /v5/pins/{pin_id}/analytics: only the pin's owner may see it; anyone else gets 404. */
  async pinAnalytics(viewer: Principal, pinId: string, q: Static<typeof PinAnalyticsQuery>) {
    noBusinessAccess(q.ad_account_id);
    const range = checkRange(q.start_date, q.end_date, this.now());
    const metrics = requiredMetrics(q.metric_types);
    const pin = await this.deps.pins.get(viewer, pinId);
    if (!pin.is_owner) throw pinNotFound();
    const appTypes = appTypeFilter(q.app_types);
    const splits = splitsOf(q.split_field === 'APP_TYPE' ? 'APP_TYPE' : 'NO_SPLIT', appTypes);
    return (await this.pinsReport([pinId], range, appTypes, metrics, splits)).get(pinId)!;
  }

  /** GET /v5/pins/analytics: up to 100 of the viewer's own pins; any other id is a 404. */
  async multiPinAnalytics(viewer: Principal, q: Static<typeof MultiPinAnalyticsQuery>) {
    noBusinessAccess(q.ad_account_id);
    const range = checkRange(q.start_date, q.end_date, this.now());
    const metrics = requiredMetrics(q.metric_types);
    const ids = parseList(q.pin_ids, null, 'pin_ids');
    if (ids.length === 0) throw new Invalid('pin_ids must name at least one Pin.');
    if (ids.length > 100) throw new Invalid('pin_ids may name at most 100 Pins.');
    for (const id of ids) if (!/^\d{1,20}$/.test(id)) throw new Invalid(`Invalid pin id "${id}".`);
    const visible = await this.deps.pins.visible(viewer, ids);
    const own = new Set(
      visible.filter((p) => p.copy.pin.owner_id === viewer.userId).map((p) => p.copy.pin.id),
    );
    if (ids.some((id) => !own.has(id))) throw pinNotFound();
    const appTypes = appTypeFilter(q.app_types);
    const report = await this.pinsReport(ids, range, appTypes, metrics, splitsOf('NO_SPLIT', appTypes));
    return Object.fromEntries(ids.map((id) => [id, report.get(id)!]));
  }

  private async pinsReport(
    pinIds: readonly string[],
    range: { start: string; end: string },
    appTypes: readonly string[] | null,
    metrics: readonly string[],
    splits: readonly Split[],
  ) {
    const [dayRows, totals, created, statusOf] = await Promise.all([
      repo.pinDays(this.deps.db, pinIds, range.start, range.end, appTypes),
      repo.pinTotals(this.deps.db, pinIds, appTypes),
      repo.pinCreatedAt(this.deps.db, pinIds),
      this.dayStatus(),
    ]);
    const days = daysBetween(range.start, range.end);
    const out = new Map<string, PinReport>();
    for (const pinId of pinIds) {
      const createdDay = created.has(pinId) ? utcDay(created.get(pinId)!) : undefined;
      const rows = dayRows.filter((r) => r.pin_id === pinId);
      const report: PinReport = {};
      for (const split of splits) {
        const series = this.series(days, rows, split, metrics, (d) => statusOf(d, createdDay));
        const lifetime = { ...ZERO };
        for (const t of totals) if (t.pin_id === pinId && inSplit(t.app_type, split)) addCounts(lifetime, t);
        report[split.key] = { ...series, lifetime_metrics: lifetimeValues(metrics, lifetime) };
      }
      out.set(pinId, report);
    }
    return out;
  }

  /** GET /v5/user_account/analytics: the viewer's pins' activity, as their creator. */
  async userAnalytics(viewer: Principal, q: Static<typeof UserAnalyticsQuery>): Promise<Buffer> {
    noBusinessAccess(q.ad_account_id, 'Not authorized to access the user account analytics.');
    const range = checkRange(q.start_date, q.end_date, this.now());
    const metrics = q.metric_types
      ? parseList(q.metric_types, USER_METRIC_TYPES, 'metric_types')
      : USER_METRIC_TYPES;
    const appTypes = appTypeFilter(q.app_types);
    const statusOf = await this.dayStatus();
    const days = daysBetween(range.start, range.end);
    const generation = await this.generation(viewer.userId);
    // The same question, the same counts (generation) and the same day statuses: the same answer, as JSON.
    const key = JSON.stringify([viewer.userId, generation, q, days.map((d) => statusOf(d))]);
    const done = this.answers.get(key);
    if (done) return done;
    const rows = matchesNothing(q)
      ? []
      : await this.cachedReport(viewer.userId, ['days', range.start, range.end, appTypes], () =>
          repo.creatorDays(this.deps.db, viewer.userId, range.start, range.end, appTypes),
        );
    const report: Record<string, Series> = {};
    for (const split of splitsOf(q.split_field ?? 'NO_SPLIT', appTypes)) {
      report[split.key] = this.series(days, rows, split, metrics.length ? metrics : USER_METRIC_TYPES, (d) =>
        statusOf(d),
      );
    }
    const json = Buffer.from(JSON.stringify(report));
    this.answers.set(key, json);
    return json;
  }

  /**
   * GET /v5/user_account/analytics/top_video_pins: the viewer's video pins with the most of `sort_by`.
   * Media uploads cannot be pinned yet, so no one has video pins: the list is empty, after the same
   * checks as top_pins (dates, metric names, business access).
   */
  async topVideoPins(_viewer: Principal, q: Static<typeof TopVideoPinsQuery>) {
    noBusinessAccess(q.ad_account_id, 'Not authorized to access the user account analytics.');
    checkRange(q.start_date, q.end_date, this.now());
    if (q.metric_types) parseList(q.metric_types, VIDEO_SORT_BY, 'metric_types');
    return {
      date_availability: this.availability(await this.dayStatus(), this.now()),
      pins: [],
      sort_by: q.sort_by,
    };
  }

  /** The last day whose counts are final, as the analytics answers' date_availability. */
  private availability(statusOf: Awaited<ReturnType<AnalyticsService['dayStatus']>>, now: Date) {
    let latest = addDays(utcDay(now), -1);
    while (statusOf(latest) !== 'READY' && latest > addDays(utcDay(now), -120)) latest = addDays(latest, -1);
    return {
      is_realtime: false,
      latest_available_timestamp: Date.parse(`${latest}T00:00:00Z`) + 86_400_000 - 1,
    };
  }

  /** GET /v5/user_account/analytics/top_pins: the viewer's pins with the most of `sort_by`. */
  async topPins(viewer: Principal, q: Static<typeof TopPinsQuery>) {
    noBusinessAccess(q.ad_account_id, 'Not authorized to access the user account analytics.');
    const range = checkRange(q.start_date, q.end_date, this.now());
    const parsed = q.metric_types ? parseList(q.metric_types, USER_METRIC_TYPES, 'metric_types') : [];
    const metrics = parsed.length ? parsed : USER_METRIC_TYPES;
    const now = this.now();
    const query = {
      ownerId: viewer.userId,
      start: range.start,
      end: range.end,
      appTypes: appTypeFilter(q.app_types),
      order: SORT_COLUMN[q.sort_by],
      limit: q.num_of_pins ?? 10,
      includeSecret: viewer.scopes.has('pins:read_secret'),
      createdSince: q.created_in_last_n_days
        ? new Date(now.getTime() - q.created_in_last_n_days * 86_400_000)
        : null,
    };
    const top = matchesNothing(q)
      ? []
      : (
          await this.cachedReport(viewer.userId, ['top', query], async () =>
            (
              await repo.topPins(this.deps.db, query)
            ).map((p) => ({
              ...p,
              created_at: new Date(p.created_at).toISOString(),
            })),
          )
        ).map((p) => ({ ...p, created_at: new Date(p.created_at) }));
    const statusOf = await this.dayStatus();
    const days = daysBetween(range.start, range.end);
    return {
      date_availability: this.availability(statusOf, now),
      pins: top.map((p) => {
        const created = utcDay(p.created_at);
        return {
          pin_id: p.pin_id,
          metrics: metricValues(metrics, p),
          data_status: Object.fromEntries(days.map((d) => [d, statusOf(d, created)])),
        };
      }),
      sort_by: q.sort_by,
    };
  }

  /**
   * A creator's report rows, cached until the rollup next changes that creator's counts (their
   * generation key is dropped after each rollup commit that touched them) or REPORT_TTL_MS passes (pins
   * created, moved or made secret do not change the generation).
   */
  /** Changes whenever the rollup changes the creator's counts. */
  private generation(userId: string): Promise<string> {
    return this.deps.cache.getOrLoad(generationKey(userId), GENERATION_TTL_MS, async () =>
      randomBytes(6).toString('base64url'),
    );
  }

  private async cachedReport<T>(userId: string, question: unknown[], load: () => Promise<T>): Promise<T> {
    const generation = await this.generation(userId);
    return this.deps.cache.getOrLoad(
      `analytics:${userId}:${generation}:${JSON.stringify(question)}`,
      REPORT_TTL_MS,
      load,
    );
  }

  /** The rollup changed these creators' counts: their cached reports are out of date. */
  async creatorsChanged(userIds: readonly string[]): Promise<void> {
    await this.deps.cache.invalidate(...userIds.map(generationKey));
  }

  /** Popularity signals of these pins (for discovery). */
  signals(pinIds: readonly string[]): Promise<Map<string, PopularitySignals>> {
    return this.deps.popularity.signals(pinIds);
  }

  /** Rebuilds the popularity signals from the hourly rollup rows. */
  rebuildSignals(): Promise<number> {
    return this.deps.popularity.rebuild();
  }

  /** A day's data_status now: before the pin existed, still being rolled up (or today), or ready. */
  private async dayStatus(): Promise<(day: string, createdDay?: string) => DataStatus> {
    const { pendingDays } = await this.deps.progress.current();
    const today = utcDay(this.now());
    return (day, createdDay) => {
      if (createdDay && day < createdDay) return 'BEFORE_PIN_CREATED';
      if (day >= today || pendingDays.has(day)) return 'PROCESSING';
      return 'READY';
    };
  }

  private series(
    days: readonly string[],
    rows: readonly DayRow[],
    split: Split,
    metrics: readonly string[],
    status: (day: string) => DataStatus,
  ): Series {
    const perDay = new Map<string, Counts>();
    const total = { ...ZERO };
    for (const r of rows) {
      if (!inSplit(r.app_type, split)) continue;
      addCounts(perDay.get(r.day) ?? perDay.set(r.day, { ...ZERO }).get(r.day)!, r);
      addCounts(total, r);
    }
    return {
      daily_metrics: days.map((d) => ({
        date: d,
        data_status: status(d),
        metrics: metricValues(metrics, perDay.get(d) ?? ZERO),
      })),
      summary_metrics: metricValues(metrics, total),
    };
  }
}

function pinNotFound(): NotFound {
  return new NotFound('Pin not found.', 50);
}
