import type { Db } from '../../../platform/db/database.js';
import { Invalid } from '../../../platform/errors.js';
import type { AdAccess } from '../ad-access.js';
import { idList } from '../bulk.js';
import type { Level, StatsFilter } from './ad-stats.repository.js';
import {
  type Attribution,
  attributionOf,
  checkRange,
  type DateRange,
  type Granularity,
  parseColumns,
  parseEnumList,
  type REPORT_TIMES,
  SYNC_LIMITS,
} from './ads-analytics.params.js';
import { TARGETING_TYPES } from './ads-analytics.schemas.js';
import { type ReportRow, reportRows } from './report-rows.js';
import { SYNC_COLUMNS } from './reporting-columns.js';

const SYNC = new Set(SYNC_COLUMNS);

/** The query every synchronous analytics operation takes. */
export interface AnalyticsQuery {
  start_date: string;
  end_date: string;
  columns: string[];
  granularity: Granularity;
  click_window_days?: number;
  engagement_window_days?: number;
  view_window_days?: number;
  conversion_report_time?: (typeof REPORT_TIMES)[number];
  aggregate_report_rows?: boolean;
}

/** An answer: the rows, and the attribution settings they were asked with (echoed in a header). */
export interface AnalyticsAnswer<T> {
  body: T;
  attribution: Attribution;
}

export interface TargetingRow {
  targeting_type: string;
  targeting_value: string;
  metrics: ReportRow;
}

export interface AdsAnalyticsDeps {
  db: Db;
  access: AdAccess;
  /** Epoch ms; tests move it. */
  clock?: () => number;
}

interface Checked {
  range: DateRange;
  granularity: Granularity;
  columns: string[];
  attribution: Attribution;
}

/** Targeting values Corkboard's events tell: the viewer's app type (APPTYPE), in Pinterest's lower case. */
const TOLD_TARGETING = new Set(['APPTYPE']);

/**
 * Synchronous ads analytics over ad_hourly_stats: per ad account, campaign, ad group, ad and promoted
 * pin, and broken down by targeting type. Every method checks the caller's role on the account first
 * (action `analytics`), then the dates, granularity and columns.
 */
export class AdsAnalyticsService {
  private readonly clock: () => number;

  constructor(private readonly deps: AdsAnalyticsDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  private check(q: AnalyticsQuery): Checked {
    return {
      range: checkRange(q.start_date, q.end_date, q.granularity, SYNC_LIMITS, this.clock()),
      granularity: q.granularity,
      columns: parseColumns(q.columns, SYNC),
      attribution: attributionOf(q),
    };
  }

  private async rows(
    userId: string,
    accountId: string,
    q: AnalyticsQuery,
    level: Level,
    filter: Omit<StatsFilter, 'accountId'>,
  ): Promise<AnalyticsAnswer<ReportRow[]>> {
    await this.deps.access.require(userId, accountId, 'analytics');
    const c = this.check(q);
    const rows = await reportRows(this.deps.db, {
      level,
      filter: { accountId, ...filter },
      range: c.range,
      granularity: c.granularity,
      columns: c.columns,
      aggregate: q.aggregate_report_rows === true,
    });
    return { body: rows.map((r) => r.row), attribution: c.attribution };
  }

  /** GET /v5/ad_accounts/{id}/analytics: the account's totals per period. */
  account(userId: string, accountId: string, q: AnalyticsQuery) {
    return this.rows(userId, accountId, q, 'ADVERTISER', {});
  }

  /** GET /v5/ad_accounts/{id}/campaigns/analytics. */
  campaigns(userId: string, accountId: string, q: AnalyticsQuery & { campaign_ids: string[] }) {
    return this.rows(userId, accountId, q, 'CAMPAIGN', { campaignIds: ids(q.campaign_ids) });
  }

  /** GET /v5/ad_accounts/{id}/ad_groups/analytics. */
  adGroups(userId: string, accountId: string, q: AnalyticsQuery & { ad_group_ids: string[] }) {
    return this.rows(userId, accountId, q, 'AD_GROUP', { adGroupIds: ids(q.ad_group_ids) });
  }

  /** GET /v5/ad_accounts/{id}/ads/analytics: by ad_ids, or by campaign_ids and pin_ids together. */
  ads(
    userId: string,
    accountId: string,
    q: AnalyticsQuery & { ad_ids?: string[]; campaign_ids?: string[]; pin_ids?: string[] },
  ) {
    const adIds = q.ad_ids ? ids(q.ad_ids) : undefined;
    const campaignIds = q.campaign_ids ? ids(q.campaign_ids) : undefined;
    const pinIds = q.pin_ids ? ids(q.pin_ids) : undefined;
    if (!adIds && !(campaignIds && pinIds))
      throw new Invalid('Give ad_ids, or both campaign_ids and pin_ids.');
    return this.rows(userId, accountId, q, 'PIN_PROMOTION', { adIds, campaignIds, pinIds });
  }

  /** GET /v5/ad_accounts/{id}/pins/analytics: a campaign's promoted pins. */
  pins(userId: string, accountId: string, q: AnalyticsQuery & { campaign_id: string; pin_ids: string[] }) {
    return this.rows(userId, accountId, q, 'PIN', {
      campaignIds: ids([q.campaign_id]),
      pinIds: ids(q.pin_ids),
    });
  }

  /**
   * GET .../targeting_analytics: rows per targeting value for each targeting type asked. Corkboard's
   * events carry the viewer's app type, so APPTYPE is broken down (web, mobile, tablet, other); the
   * others (age, gender, location, interests, keywords, placement...) are not recorded with an ad event
   * and have no rows.
   */
  async targeting(
    userId: string,
    accountId: string,
    level: keyof typeof TARGETING_TYPES,
    q: AnalyticsQuery & {
      targeting_types: string[];
      attribution_types?: string[];
      campaign_ids?: string[];
      ad_group_ids?: string[];
      ad_ids?: string[];
    },
  ): Promise<AnalyticsAnswer<{ data: TargetingRow[] }>> {
    await this.deps.access.require(userId, accountId, 'analytics');
    const types = parseEnumList(q.targeting_types, TARGETING_TYPES[level], 'targeting_types', 15);
    if (q.attribution_types)
      parseEnumList(q.attribution_types, ['INDIVIDUAL', 'HOUSEHOLD'], 'attribution_types', 2);
    const c = this.check(q);
    const data: TargetingRow[] = [];
    if (types.some((t) => TOLD_TARGETING.has(t))) {
      const rows = await reportRows(this.deps.db, {
        level,
        filter: {
          accountId,
          campaignIds: q.campaign_ids ? ids(q.campaign_ids) : undefined,
          adGroupIds: q.ad_group_ids ? ids(q.ad_group_ids) : undefined,
          adIds: q.ad_ids ? ids(q.ad_ids) : undefined,
        },
        range: c.range,
        granularity: c.granularity,
        columns: c.columns,
        byAppType: true,
      });
      for (const r of rows) {
        data.push({
          targeting_type: 'APPTYPE',
          targeting_value: (r.appType ?? 'OTHER').toLowerCase(),
          metrics: r.row,
        });
      }
    }
    return { body: { data }, attribution: c.attribution };
  }
}

/** Ids from a list query; an id no object can have names nothing. */
function ids(raw: readonly string[]): string[] {
  return idList(raw) ?? [];
}
