import type { Db } from '../../../platform/db/database.js';
import { Invalid } from '../../../platform/errors.js';
import { adSummaryStatus, review } from '../ads/ad-review.js';
import { adsRepository } from '../ads/ads.repository.js';
import { OBJECTIVE_TYPES } from '../campaigns/campaigns.schemas.js';
import { summaryStatus } from '../entity-rules.js';

/** The spec's summary statuses of campaigns and ad groups, and of ads (pin promotions). */
const ENTITY_SUMMARY = new Set([
  'RUNNING',
  'PAUSED',
  'NOT_STARTED',
  'COMPLETED',
  'ADVERTISER_DISABLED',
  'ARCHIVED',
  'DRAFT',
  'DELETED_DRAFT',
]);
const AD_SUMMARY = new Set([
  'APPROVED',
  'PAUSED',
  'PENDING',
  'REJECTED',
  'ADVERTISER_DISABLED',
  'ARCHIVED',
  'DRAFT',
  'DELETED_DRAFT',
]);
const OBJECTIVES = new Set<string>(OBJECTIVE_TYPES);

/** A report's filters by where its entities stand when the report is built. */
export interface StatusFilters {
  campaign_statuses?: string[];
  campaign_objective_types?: string[];
  ad_group_statuses?: string[];
  ad_statuses?: string[];
}

/** The id filters a report is narrowed by. */
export interface IdFilters {
  campaign_ids?: string[];
  ad_group_ids?: string[];
  ad_ids?: string[];
}

/** Checks the status and objective filters of a report request; answers those given. */
export function checkStatusFilters(body: StatusFilters): StatusFilters {
  const out: StatusFilters = {};
  const check = (name: keyof StatusFilters, allowed: Set<string>) => {
    const values = body[name];
    if (values === undefined) return;
    const bad = values.find((v) => !allowed.has(v));
    if (bad !== undefined) throw new Invalid(`${name}: "${bad}" is not one of ${[...allowed].join(', ')}.`);
    out[name] = [...new Set(values)];
  };
  check('campaign_statuses', ENTITY_SUMMARY);
  check('campaign_objective_types', OBJECTIVES);
  check('ad_group_statuses', ENTITY_SUMMARY);
  check('ad_statuses', AD_SUMMARY);
  return out;
}

const intersect = (given: string[] | undefined, allowed: string[]) =>
  given ? given.filter((id) => allowed.includes(id)) : allowed;

/**
 * The id filters with the status filters applied, as the entities stand now (summary statuses follow
 * status, schedule and, for ads, the review): each status filter becomes the ids that pass it, meeting
 * the ids given. Without status filters, the id filters as given.
 */
export async function narrowByStatus(
  db: Db,
  accountId: string,
  ids: IdFilters,
  f: StatusFilters,
  nowMs: number,
): Promise<IdFilters> {
  const out: IdFilters = { ...ids };
  if (f.campaign_statuses || f.campaign_objective_types) {
    const rows = await db
      .selectFrom('ad_campaigns')
      .select(['id', 'status', 'objective_type', 'start_time', 'end_time'])
      .where('ad_account_id', '=', accountId)
      .execute();
    const passing = rows
      .filter(
        (c) =>
          !f.campaign_statuses ||
          f.campaign_statuses.includes(summaryStatus(c.status, c.start_time, c.end_time, nowMs)),
      )
      .filter((c) => !f.campaign_objective_types || f.campaign_objective_types.includes(c.objective_type))
      .map((c) => c.id);
    out.campaign_ids = intersect(out.campaign_ids, passing);
  }
  if (f.ad_group_statuses) {
    const rows = await db
      .selectFrom('ad_groups')
      .select(['id', 'status', 'start_time', 'end_time'])
      .where('ad_account_id', '=', accountId)
      .execute();
    const passing = rows
      .filter((g) => f.ad_group_statuses!.includes(summaryStatus(g.status, g.start_time, g.end_time, nowMs)))
      .map((g) => g.id);
    out.ad_group_ids = intersect(out.ad_group_ids, passing);
  }
  if (f.ad_statuses) {
    const rows = await adsRepository.ofAccount(db, accountId);
    const passing = rows
      .filter((a) => f.ad_statuses!.includes(adSummaryStatus(a.status, review(a).review_status)))
      .map((a) => a.id);
    out.ad_ids = intersect(out.ad_ids, passing);
  }
  return out;
}
