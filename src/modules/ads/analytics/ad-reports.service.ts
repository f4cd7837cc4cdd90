import type { Bookmarks } from '../../../platform/bookmarks.js';
import type { Db } from '../../../platform/db/database.js';
import { DomainError, Invalid, NotFound } from '../../../platform/errors.js';
import type { BlobStore } from '../../../platform/images/blob-store.js';
import type { Logger } from '../../../platform/logger.js';
import { emit } from '../../topics.js';
import type { AdAccess } from '../ad-access.js';
import type { REPORT_LEVELS } from './ad-reports.schemas.js';
import type { Level } from './ad-stats.repository.js';
import {
  type Attribution,
  attributionOf,
  checkRange,
  type Granularity,
  parseColumns,
  REPORT_LIMITS,
  type REPORT_TIMES,
} from './ads-analytics.params.js';
import { type FileRow, type ReportFormat, renderReport } from './report-file.js';
import { checkStatusFilters, narrowByStatus, type StatusFilters } from './report-filters.js';
import { KEY_COLUMN, type ReportRow, reportRows } from './report-rows.js';
import { ASYNC_COLUMNS } from './reporting-columns.js';

const ASYNC = new Set(ASYNC_COLUMNS);
/** A finished report can be fetched for an hour; a download link works for five minutes (the spec's). */
export const REPORT_TTL_MS = 3_600_000;
export const LINK_TTL_MS = 300_000;
const LINK_SCOPE = 'ads:report-file';

/** The body of POST /v5/ad_accounts/{id}/reports, as validated by its schema. */
export interface ReportBody {
  start_date: string;
  end_date: string;
  granularity: Granularity;
  level: (typeof REPORT_LEVELS)[number];
  columns: string[];
  report_format?: ReportFormat;
  click_window_days?: number;
  engagement_window_days?: number;
  view_window_days?: number;
  conversion_report_time?: (typeof REPORT_TIMES)[number];
  campaign_ids?: string[];
  ad_group_ids?: string[];
  ad_ids?: string[];
  targeting_types?: string[];
  combine_targeting_types?: boolean;
  primary_sort?: 'BY_ID' | 'BY_DATE';
  [other: string]: unknown;
}

/** A report request as stored in ad_reports.request: only what the report is built from. */
export interface StoredRequest {
  level: (typeof REPORT_LEVELS)[number];
  start_date: string;
  end_date: string;
  granularity: Granularity;
  columns: string[];
  report_format: ReportFormat;
  campaign_ids?: string[];
  ad_group_ids?: string[];
  ad_ids?: string[];
  targeting_types?: string[];
  primary_sort: 'BY_ID' | 'BY_DATE';
  attribution: Attribution;
  /** Status and objective filters, applied to the entities as they stand when the file is built. */
  statuses?: StatusFilters;
}

/** Filters Corkboard cannot apply yet: refused by name rather than ignored (a report must say what it holds). */
const UNSUPPORTED = [
  'campaign_brand_label',
  'product_group_ids',
  'product_group_statuses',
  'product_item_ids',
  'metrics_filters',
  'custom_conversion_event_metrics',
  'start_hour',
  'end_hour',
] as const;

/** Levels whose entities Corkboard has; keyword and catalog (product) levels have none and give empty files. */
const BASE_LEVEL: Partial<Record<string, Level>> = {
  ADVERTISER: 'ADVERTISER',
  CAMPAIGN: 'CAMPAIGN',
  AD_GROUP: 'AD_GROUP',
  PIN_PROMOTION: 'PIN_PROMOTION',
};

export interface AdReportsDeps {
  db: Db;
  access: AdAccess;
  blobs: BlobStore;
  bookmarks: Bookmarks;
  publicUrl: string;
  /** A new unguessable report token. */
  newToken: () => string;
  eventsCommitted: () => void;
  /** Epoch ms; tests move it. */
  clock?: () => number;
}

/**
 * Asynchronous ads reports: a request is checked and recorded with an outbox event in one transaction;
 * the `ads.reports` consumer builds the file from ad_hourly_stats (the same rows the synchronous
 * endpoints answer) into the blob store; GET answers the status and, when finished, a signed download
 * link that Corkboard serves itself.
 */
export class AdReportsService {
  private readonly clock: () => number;

  constructor(private readonly deps: AdReportsDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** Checks a request: dates within the report limits, spec columns, targeting only at targeting levels. */
  check(body: ReportBody): StoredRequest {
    for (const name of UNSUPPORTED) {
      if (body[name] !== undefined)
        throw new Invalid(
          `${name} is not supported here yet; narrow a report by campaign_ids, ad_group_ids or ad_ids.`,
        );
    }
    if (body.combine_targeting_types === true)
      throw new Invalid('combine_targeting_types is not supported here yet: only APPTYPE has values.');
    checkRange(body.start_date, body.end_date, body.granularity, REPORT_LIMITS, this.clock());
    const columns = parseColumns(body.columns, ASYNC);
    const statuses = checkStatusFilters(body as StatusFilters);
    const targeting = body.level.endsWith('_TARGETING');
    if (targeting && !body.targeting_types)
      throw new Invalid(`targeting_types is required with level ${body.level}.`);
    if (!targeting && body.targeting_types)
      throw new Invalid('targeting_types needs a level ending in _TARGETING.');
    return {
      level: body.level,
      start_date: body.start_date,
      end_date: body.end_date,
      granularity: body.granularity,
      columns,
      report_format: body.report_format ?? 'JSON',
      ...(body.campaign_ids ? { campaign_ids: [...new Set(body.campaign_ids)] } : {}),
      ...(body.ad_group_ids ? { ad_group_ids: [...new Set(body.ad_group_ids)] } : {}),
      ...(body.ad_ids ? { ad_ids: [...new Set(body.ad_ids)] } : {}),
      ...(body.targeting_types ? { targeting_types: body.targeting_types } : {}),
      primary_sort: body.primary_sort ?? 'BY_ID',
      attribution: attributionOf(body),
      ...(Object.keys(statuses).length > 0 ? { statuses } : {}),
    };
  }

  /** POST /v5/ad_accounts/{id}/reports: records the request; its file is built by a job. */
  async create(userId: string, accountId: string, body: ReportBody) {
    await this.deps.access.require(userId, accountId, 'analytics');
    const request = this.check(body);
    const token = this.deps.newToken();
    await this.deps.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('ad_reports')
        .values({
          token,
          ad_account_id: accountId,
          user_id: userId,
          request: JSON.stringify(request),
          status: 'IN_PROGRESS',
        })
        .execute();
      await emit(trx, 'ads.report.requested', { token });
    });
    this.deps.eventsCommitted();
    return { report_status: 'IN_PROGRESS' as const, token, message: null };
  }

  /** GET /v5/ad_accounts/{id}/reports?token=: the status, and a five-minute download link once finished. */
  async status(userId: string, accountId: string, token: string) {
    await this.deps.access.require(userId, accountId, 'analytics');
    const row = await this.deps.db
      .selectFrom('ad_reports')
      .select(['status', 'size', 'finished_at', 'blob_key'])
      .where('token', '=', token)
      .where('ad_account_id', '=', accountId)
      .executeTakeFirst();
    const none = { url: null, size: null };
    if (!row) return { report_status: 'DOES_NOT_EXIST' as const, ...none };
    if (row.status !== 'FINISHED') return { report_status: row.status as 'IN_PROGRESS' | 'FAILED', ...none };
    const now = this.clock();
    if (!row.blob_key || !row.finished_at || row.finished_at.getTime() + REPORT_TTL_MS <= now)
      return { report_status: 'EXPIRED' as const, ...none };
    const link = this.deps.bookmarks.encode(LINK_SCOPE, [token, now + LINK_TTL_MS]);
    return {
      report_status: 'FINISHED' as const,
      url: `${this.deps.publicUrl}/media/ad-reports/${link}`,
      size: row.size,
    };
  }

  /** GET /media/ad-reports/{link}: the file, for a link GET reports made less than five minutes ago. */
  async download(link: string): Promise<{ bytes: Buffer; contentType: string; filename: string }> {
    let token: unknown;
    let expires: unknown;
    try {
      [token, expires] = this.deps.bookmarks.decode(LINK_SCOPE, link);
    } catch {
      throw new NotFound('Report file not found.');
    }
    if (typeof token !== 'string' || typeof expires !== 'number')
      throw new NotFound('Report file not found.');
    const now = this.clock();
    if (expires <= now)
      throw new NotFound(
        'This download link has expired: get a new one from GET /v5/ad_accounts/{id}/reports.',
      );
    const row = await this.deps.db
      .selectFrom('ad_reports')
      .select(['blob_key', 'finished_at'])
      .where('token', '=', token)
      .where('status', '=', 'FINISHED')
      .executeTakeFirst();
    if (!row?.blob_key || !row.finished_at || row.finished_at.getTime() + REPORT_TTL_MS <= now)
      throw new NotFound('Report file not found: it may have expired.');
    const blob = await this.deps.blobs.get(row.blob_key);
    if (!blob) throw new NotFound('Report file not found: it may have expired.');
    return { bytes: blob.bytes, contentType: blob.contentType, filename: row.blob_key.split('/').pop()! };
  }

  /**
   * Builds a recorded report's file (the consumer, in its delivery's transaction): a report that is not
   * IN_PROGRESS any more is left alone, so a redelivery does nothing. The blob is written under the
   * token's own key, so a retry after a failure overwrites it.
   */
  async build(trx: Db, token: string, log: Logger): Promise<void> {
    const row = await trx
      .selectFrom('ad_reports')
      .select(['ad_account_id', 'request', 'status'])
      .where('token', '=', token)
      .forUpdate()
      .executeTakeFirst();
    if (row?.status !== 'IN_PROGRESS') return;
    const request = (
      typeof row.request === 'string' ? JSON.parse(row.request) : row.request
    ) as StoredRequest;
    let rows: FileRow[];
    try {
      rows = await this.rowsOf(trx, row.ad_account_id, request);
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      log.warn({ token, err }, 'ads report failed');
      await trx
        .updateTable('ad_reports')
        .set({ status: 'FAILED', error: err.message, finished_at: new Date(this.clock()) })
        .where('token', '=', token)
        .execute();
      return;
    }
    const file = renderReport(request.report_format, rows, request.columns);
    const key = `ad-reports/${token}.${request.report_format === 'CSV' ? 'csv' : 'json'}`;
    await this.deps.blobs.put(key, file.bytes, file.contentType);
    await trx
      .updateTable('ad_reports')
      .set({
        status: 'FINISHED',
        blob_key: key,
        size: file.bytes.length,
        finished_at: new Date(this.clock()),
      })
      .where('token', '=', token)
      .execute();
  }

  /** Deletes the files of reports finished more than an hour ago (they answer EXPIRED); the count deleted. */
  async expire(): Promise<number> {
    const old = await this.deps.db
      .selectFrom('ad_reports')
      .select(['token', 'blob_key'])
      .where('blob_key', 'is not', null)
      .where('finished_at', '<', new Date(this.clock() - REPORT_TTL_MS))
      .limit(1000)
      .execute();
    for (const r of old) {
      await this.deps.blobs.delete(r.blob_key!);
      await this.deps.db
        .updateTable('ad_reports')
        .set({ blob_key: null })
        .where('token', '=', r.token)
        .execute();
    }
    return old.length;
  }

  /** GET /v5/ad_accounts/{id}/templates: report templates of the account (none can be made yet). */
  async templates(userId: string, accountId: string) {
    await this.deps.access.require(userId, accountId, 'read');
    return { items: [] as { id: string; name: string }[], bookmark: null };
  }

  /** POST /v5/ad_accounts/{id}/templates/{template_id}/reports: no template exists, so always a 404. */
  async templateReport(userId: string, accountId: string, templateId: string): Promise<never> {
    await this.deps.access.require(userId, accountId, 'analytics');
    throw new NotFound(`Template ${templateId.slice(0, 18)} not found.`);
  }

  /** The rows of a stored request, from the same rollup rows the synchronous endpoints read. */
  async rowsOf(db: Db, accountId: string, r: StoredRequest): Promise<FileRow[]> {
    const targeting = r.level.endsWith('_TARGETING');
    const level = BASE_LEVEL[r.level.replace(/_TARGETING$/, '')];
    // Keyword and catalog levels have no entities here; only APPTYPE has targeting values.
    if (!level || (targeting && !r.targeting_types?.includes('APPTYPE'))) return [];
    const ids = r.statuses
      ? await narrowByStatus(db, accountId, r, r.statuses, this.clock())
      : { campaign_ids: r.campaign_ids, ad_group_ids: r.ad_group_ids, ad_ids: r.ad_ids };
    const keyed = await reportRows(db, {
      level,
      filter: { accountId, campaignIds: ids.campaign_ids, adGroupIds: ids.ad_group_ids, adIds: ids.ad_ids },
      range: { start: r.start_date, end: r.end_date },
      granularity: r.granularity,
      columns: r.columns,
      byAppType: targeting,
    });
    const out = keyed.map(({ key, appType, row }) => ({
      key: key ?? accountId,
      row: targeting ? withTargeting(row, level, appType) : row,
    }));
    if (r.primary_sort === 'BY_DATE') {
      const when = (row: ReportRow) => `${row.DATE ?? ''}T${String(row.HOUR ?? '').padStart(2, '0')}`;
      out.sort((a, b) => when(a.row).localeCompare(when(b.row)));
    }
    return out;
  }
}

/** A targeting row: TARGETING_TYPE and TARGETING_VALUE after the key and period columns. */
function withTargeting(row: ReportRow, level: Level, appType: string | null): ReportRow {
  const out: ReportRow = {};
  const lead = [KEY_COLUMN[level], 'DATE', 'HOUR'];
  for (const k of lead) if (k in row) out[k] = row[k]!;
  out.TARGETING_TYPE = 'APPTYPE';
  out.TARGETING_VALUE = (appType ?? 'OTHER').toLowerCase();
  for (const [k, v] of Object.entries(row)) if (!(k in out)) out[k] = v;
  return out;
}
