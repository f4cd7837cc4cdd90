import { ApiError, api, query } from './client.js';
import type { Page, Pin } from './types.js';

/** The parts of the Ads API's answers the ads manager reads (Pinterest v5). */

export type EntityStatus = 'ACTIVE' | 'PAUSED' | 'ARCHIVED' | 'DRAFT' | 'DELETED_DRAFT';

export interface AdAccount {
  id: string;
  name: string;
  owner: { id: string; username: string };
  country: string;
  currency: string;
  permissions: string[];
}

export interface Campaign {
  id: string;
  ad_account_id: string;
  name: string;
  status: EntityStatus;
  objective_type: string;
  lifetime_spend_cap: number | null;
  daily_spend_cap: number | null;
  start_time: number | null;
  end_time: number | null;
  summary_status: string;
  is_campaign_budget_optimization?: boolean;
}

export type TargetingSpec = Partial<Record<string, string[] | string>>;

export interface AdGroup {
  id: string;
  ad_account_id: string;
  campaign_id: string;
  name: string;
  status: EntityStatus;
  budget_in_micro_currency: number | null;
  bid_in_micro_currency: number | null;
  budget_type: string;
  start_time: number | null;
  end_time: number | null;
  targeting_spec: TargetingSpec;
  placement_group: string;
  pacing_delivery_type: string;
  bid_strategy_type: string | null;
  billable_event: string;
  summary_status: string;
}

export interface Ad {
  id: string;
  ad_account_id: string;
  campaign_id: string;
  ad_group_id: string;
  pin_id: string;
  name: string | null;
  status: EntityStatus;
  review_status?: string;
  destination_url?: string | null;
  summary_status?: string;
  is_pin_deleted?: boolean;
}

export interface Keyword {
  id?: string;
  value: string;
  match_type: string | null;
  bid: number | null;
  archived?: boolean;
  parent_id?: string;
}

/** A bulk create or update answer: per item its data or its exceptions (campaigns, ad groups, ads). */
interface BulkItem<T> {
  data: T | null;
  exceptions?: { code?: number; message: string }[] | { code?: number; message: string } | null;
}

/** One analytics row: the entity's id column, DATE, and the columns asked for. */
export type AnalyticsRow = Record<string, string | number | null>;

export interface ReportStatus {
  report_status: string;
  url: string | null;
  size: number | null;
}

const acct = (id: string) => `/v5/ad_accounts/${encodeURIComponent(id)}`;
const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
});

/** Every page of a list (the ads manager shows whole trees; lists are short). */
async function all<T>(path: string, params: [string, string][] = []): Promise<T[]> {
  const out: T[] = [];
  let bookmark: string | undefined;
  for (let i = 0; i < 40; i++) {
    const q = new URLSearchParams(params);
    q.set('page_size', '100');
    if (bookmark) q.set('bookmark', bookmark);
    const page = await api<Page<T>>(`${path}?${q}`);
    out.push(...page.items);
    if (!page.bookmark) break;
    bookmark = page.bookmark;
  }
  return out;
}

/** The first item of a bulk answer, or its exception as an ApiError (a 400 in the API's words). */
function first<T>(answer: { items: BulkItem<T>[] }): T {
  const item = answer.items[0];
  if (item?.data) return item.data;
  const ex = item?.exceptions;
  const list = Array.isArray(ex) ? ex : ex ? [ex] : [];
  // "items[0]: ..." names the item of a bulk call; the form sent one.
  const words = list.map((e) => e.message.replace(/^items\[\d+\]:\s*/, '')).join(' ');
  throw new ApiError(400, list[0]?.code ?? 0, words || 'The API refused it.');
}

/** Lists show the archived too (greyed), so nothing a person made disappears from the tree. */
const STATUSES: [string, string][] = ['ACTIVE', 'PAUSED', 'ARCHIVED'].map((s) => ['entity_statuses', s]);

export const ads = {
  accounts: () => all<AdAccount>('/v5/ad_accounts'),
  account: (id: string) => api<AdAccount>(acct(id)),
  createAccount: (body: { name: string; country: string; currency: string }) =>
    api<AdAccount>('/v5/ad_accounts', json('POST', body)),
  countries: () =>
    api<{ items: { code: string; currency: string; name: string }[] }>('/v5/resources/ad_account_countries'),
  /** A targeting type's values as `{value: label}` objects. */
  targetingOptions: (type: string) =>
    api<Record<string, string>[]>(`/v5/resources/targeting/${encodeURIComponent(type)}`),

  campaigns: (account: string) => all<Campaign>(`${acct(account)}/campaigns`, STATUSES),
  campaign: (account: string, id: string) => api<Campaign>(`${acct(account)}/campaigns/${id}`),
  createCampaign: async (account: string, body: Record<string, unknown>) =>
    first(await api<{ items: BulkItem<Campaign>[] }>(`${acct(account)}/campaigns`, json('POST', [body]))),
  updateCampaign: async (account: string, body: { id: string; [field: string]: unknown }) =>
    first(await api<{ items: BulkItem<Campaign>[] }>(`${acct(account)}/campaigns`, json('PATCH', [body]))),

  adGroups: (account: string) => all<AdGroup>(`${acct(account)}/ad_groups`, STATUSES),
  adGroup: (account: string, id: string) => api<AdGroup>(`${acct(account)}/ad_groups/${id}`),
  createAdGroup: async (account: string, body: Record<string, unknown>) =>
    first(await api<{ items: BulkItem<AdGroup>[] }>(`${acct(account)}/ad_groups`, json('POST', [body]))),
  updateAdGroup: async (account: string, body: { id: string; [field: string]: unknown }) =>
    first(await api<{ items: BulkItem<AdGroup>[] }>(`${acct(account)}/ad_groups`, json('PATCH', [body]))),

  ads: (account: string) => all<Ad>(`${acct(account)}/ads`, STATUSES),
  ad: (account: string, id: string) => api<Ad>(`${acct(account)}/ads/${id}`),
  createAd: async (account: string, body: Record<string, unknown>) =>
    first(await api<{ items: BulkItem<Ad>[] }>(`${acct(account)}/ads`, json('POST', [body]))),
  updateAd: async (account: string, body: { id: string; [field: string]: unknown }) =>
    first(await api<{ items: BulkItem<Ad>[] }>(`${acct(account)}/ads`, json('PATCH', [body]))),

  keywords: (account: string, adGroupId: string) =>
    all<Keyword>(`${acct(account)}/keywords`, [['ad_group_id', adGroupId]]),
  createKeywords: (account: string, parentId: string, keywords: Omit<Keyword, 'id'>[]) =>
    api<{ keywords: Keyword[]; errors: { data: Keyword; error_messages: string[] }[] }>(
      `${acct(account)}/keywords`,
      json('POST', { parent_id: parentId, keywords }),
    ),
  archiveKeywords: (account: string, ids: string[]) =>
    api<unknown>(
      `${acct(account)}/keywords`,
      json('PATCH', { keywords: ids.map((id) => ({ id, archived: true })) }),
    ),

  audiences: (account: string) =>
    all<{ id: string; name: string; status?: string }>(`${acct(account)}/audiences`),

  /** Synchronous analytics of the account, or of campaigns or ad groups (by id), rows per `granularity`. */
  analytics: (
    account: string,
    level: 'account' | 'campaigns' | 'ad_groups',
    params: { start: string; end: string; columns: string[]; granularity: string; ids?: string[] },
  ) => {
    const path = level === 'account' ? `${acct(account)}/analytics` : `${acct(account)}/${level}/analytics`;
    const ids = params.ids?.join(',');
    return api<AnalyticsRow[]>(
      `${path}${query({
        start_date: params.start,
        end_date: params.end,
        columns: params.columns.join(','),
        granularity: params.granularity,
        campaign_ids: level === 'campaigns' ? ids : undefined,
        ad_group_ids: level === 'ad_groups' ? ids : undefined,
      })}`,
    );
  },

  createReport: (account: string, body: Record<string, unknown>) =>
    api<{ report_status: string; token: string; message: string | null }>(
      `${acct(account)}/reports`,
      json('POST', body),
    ),
  reportStatus: (account: string, token: string) =>
    api<ReportStatus>(`${acct(account)}/reports${query({ token })}`),

  myPins: (bookmark: string | null) => api<Page<Pin>>(`/v5/pins${query({ page_size: 50, bookmark })}`),
  pin: (id: string) => api<Pin>(`/v5/pins/${encodeURIComponent(id)}`),
};
