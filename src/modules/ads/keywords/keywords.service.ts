import type { Static } from 'typebox';
import type { Bookmarks } from '../../../platform/bookmarks.js';
import type { Db } from '../../../platform/db/database.js';
import { DomainError, Invalid, NotFound } from '../../../platform/errors.js';
import type { IdGenerator } from '../../../platform/ids.js';
import { isIdText } from '../../../platform/ids.js';
import type { AdAccountView } from '../accounts/ad-accounts.repository.js';
import type { AdAccess } from '../ad-access.js';
import { idList } from '../bulk.js';
import { num } from '../entity-rules.js';
import { bidFloorMicro, MAX_MICRO } from '../money.js';
import { type KeywordRow, type ParentType, keywordsRepository as repo } from './keywords.repository.js';
import type {
  KeywordInput,
  KeywordMetricsQuery,
  KeywordsCreateBody,
  KeywordsQuery,
  KeywordsUpdateBody,
} from './keywords.schemas.js';

/** Keywords one parent may hold. */
export const MAX_KEYWORDS_PER_PARENT = 2000;
const MAX_KEYWORD_LENGTH = 80;

/** What search volume a keyword had, from Corkboard's own searches (the exact count is not shown). */
export type SearchVolumes = (keywords: string[]) => Promise<Map<string, number>>;

export interface KeywordsDeps {
  readonly db: Db;
  readonly ids: IdGenerator;
  readonly bookmarks: Bookmarks;
  readonly access: AdAccess;
  readonly searchVolumes: SearchVolumes;
}

interface Parent {
  type: ParentType;
  id: string;
  /** For an ad group: how it bills and where it is placed. */
  group?: { billable_event: string; placement_group: string };
}

const present = (k: KeywordRow) => ({
  id: k.id,
  value: k.value,
  match_type: k.match_type,
  bid: num(k.bid),
  archived: k.archived,
  parent_id: k.parent_id,
  parent_type: k.parent_type,
  type: 'keyword' as const,
});

/** The spec's shape of a keyword that was not written: what was sent, without id or parent. */
const failed = (
  value: string,
  matchType: string | null,
  bid: number | null | undefined,
  message: string,
) => ({
  data: { value, match_type: matchType, bid: bid ?? null, type: 'keyword' as const },
  error_messages: [message],
});

/**
 * Keywords: search terms an ad group targets (BROAD, PHRASE, EXACT) or excludes (EXACT_NEGATIVE,
 * PHRASE_NEGATIVE); campaigns and the account take exclusions only. Each keyword of a call is written or
 * refused alone, as the spec's `keywords` and `errors` lists say.
 */
export class KeywordsService {
  constructor(private readonly deps: KeywordsDeps) {}

  /** POST /v5/ad_accounts/{ad_account_id}/keywords. */
  async create(userId: string, accountId: string, body: Static<typeof KeywordsCreateBody>) {
    const account = await this.deps.access.require(userId, accountId, 'manage');
    const parent = await this.parent(account, body.parent_id);
    const out = { keywords: [] as ReturnType<typeof present>[], errors: [] as ReturnType<typeof failed>[] };
    for (const item of body.keywords) {
      try {
        out.keywords.push(present(await this.createOne(account, parent, item)));
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        out.errors.push(failed(item.value, item.match_type, item.bid, err.message));
      }
    }
    return out;
  }

  /** PATCH /v5/ad_accounts/{ad_account_id}/keywords: archive or unarchive, and bids. */
  async update(userId: string, accountId: string, body: Static<typeof KeywordsUpdateBody>) {
    const account = await this.deps.access.require(userId, accountId, 'manage');
    const out = { keywords: [] as ReturnType<typeof present>[], errors: [] as ReturnType<typeof failed>[] };
    for (const item of body.keywords) {
      try {
        const row = await this.deps.db.transaction().execute(async (trx) => {
          const row = await repo.byId(trx, accountId, item.id, true);
          if (!row) throw new NotFound(`Keyword ${item.id} not found in this ad account.`);
          if (item.bid !== undefined && item.bid !== null) {
            const group =
              row.parent_type === 'ad_group' ? await repo.adGroup(trx, accountId, row.parent_id) : undefined;
            this.checkBid(
              account,
              { type: row.parent_type, id: row.parent_id, group },
              row.match_type,
              item.bid,
            );
          }
          return repo.update(trx, row.id, { archived: item.archived, bid: item.bid });
        });
        out.keywords.push(present(row));
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        out.errors.push(failed('', null, item.bid, `${item.id}: ${err.message}`));
      }
    }
    return out;
  }

  /**
   * GET /v5/ad_accounts/{ad_account_id}/keywords: an ad group's (or several), a campaign's, or with no
   * filter the account's own, as the spec says.
   */
  async list(userId: string, accountId: string, q: Static<typeof KeywordsQuery>) {
    await this.deps.access.require(userId, accountId, 'read');
    let parentType: ParentType = 'advertiser';
    let parentIds = [accountId];
    const groups = [...(q.ad_group_id ? [q.ad_group_id] : []), ...(idList(q.ad_group_ids) ?? [])].filter(
      (id) => isIdText(id),
    );
    if (q.ad_group_id || q.ad_group_ids) {
      parentType = 'ad_group';
      parentIds = [...new Set(groups)];
    } else if (q.campaign_id) {
      parentType = 'campaign';
      parentIds = isIdText(q.campaign_id) ? [q.campaign_id] : [];
    }
    const matchTypes = q.match_types ? [...new Set(q.match_types)] : undefined;
    const scope = `keywords:${accountId}:${parentType}:${parentIds.join(',')}:${matchTypes?.join(',') ?? ''}`;
    const after = q.bookmark ? String(this.deps.bookmarks.decode(scope, q.bookmark)[0]) : undefined;
    const pageSize = q.page_size ?? 25;
    const rows = await repo.list(this.deps.db, accountId, {
      parentType,
      parentIds,
      matchTypes,
      after,
      limit: pageSize + 1,
    });
    return this.deps.bookmarks.page(scope, rows, pageSize, (last) => [last.id], present);
  }

  /**
   * GET /v5/ad_accounts/{ad_account_id}/keywords/metrics: how often Corkboard's people searched for
   * each keyword over the last 30 days, as a range (never an exact small count: one person's searches
   * must not show).
   */
  async metrics(userId: string, accountId: string, q: Static<typeof KeywordMetricsQuery>) {
    await this.deps.access.require(userId, accountId, 'read');
    const keywords = [
      ...new Set(
        q.keywords
          .flatMap((k) => k.split(','))
          .map((k) => k.trim())
          .filter(Boolean),
      ),
    ];
    if (keywords.length > 2000) throw new Invalid('keywords: at most 2000.');
    const volumes = await this.deps.searchVolumes(keywords);
    return {
      data: keywords.map((keyword) => ({
        keyword,
        metrics: { keyword_query_volume: volumeRange(volumes.get(keyword) ?? 0) },
      })),
    };
  }

  private async createOne(account: AdAccountView, parent: Parent, item: Static<typeof KeywordInput>) {
    const value = item.value.trim().replace(/\s+/g, ' ');
    if (!value || value.length > MAX_KEYWORD_LENGTH)
      throw new Invalid(`A keyword is 1 to ${MAX_KEYWORD_LENGTH} characters.`);
    const matchType = item.match_type;
    if (!matchType) throw new Invalid('match_type is required.');
    const negative = matchType.endsWith('_NEGATIVE');
    if (parent.type !== 'ad_group' && !negative)
      throw new Invalid('Advertisers and campaigns only accept excluding (_NEGATIVE) keywords.');
    if (!negative && parent.group?.placement_group === 'BROWSE')
      throw new Invalid("Keywords target search: this ad group's placement_group is BROWSE.");
    if (item.bid !== undefined && item.bid !== null) this.checkBid(account, parent, matchType, item.bid);
    return this.deps.db.transaction().execute(async (trx) => {
      // One writer per parent at a time, so the limit and the duplicate check hold.
      await trx.selectFrom('ad_accounts').select('id').where('id', '=', account.id).forUpdate().execute();
      const same = await repo.existing(trx, parent.id, value, matchType);
      if (same)
        throw new Invalid(
          same.archived
            ? `"${value}" (${matchType}) exists archived (${same.id}): unarchive it with PATCH.`
            : `"${value}" (${matchType}) is already a keyword here.`,
        );
      if ((await repo.countOn(trx, parent.id)) >= MAX_KEYWORDS_PER_PARENT)
        throw new Invalid(`A parent holds at most ${MAX_KEYWORDS_PER_PARENT} keywords.`);
      return repo.insert(trx, {
        id: await this.deps.ids.next('keyword', trx),
        ad_account_id: account.id,
        parent_type: parent.type,
        parent_id: parent.id,
        value,
        match_type: matchType,
        bid: item.bid === undefined || item.bid === null ? null : String(item.bid),
      });
    });
  }

  /** A keyword bid: per click, so only on a CLICKTHROUGH ad group's targeting keywords, at the floor or above. */
  private checkBid(account: AdAccountView, parent: Parent, matchType: string, bid: number): void {
    if (matchType.endsWith('_NEGATIVE')) throw new Invalid('An excluding keyword has no bid.');
    if (parent.group?.billable_event !== 'CLICKTHROUGH')
      throw new Invalid('Keyword bids are per click: only ad groups billed by CLICKTHROUGH take them.');
    const floor = bidFloorMicro(account.currency, 'CLICKTHROUGH');
    if (!Number.isSafeInteger(bid) || bid < floor || bid > MAX_MICRO)
      throw new Invalid(`bid must be at least the bid floor, ${floor} micro-units per click.`);
  }

  /** The parent a parent_id names: AG... an ad group, C... a campaign, a bare id either, or the account. */
  private async parent(account: AdAccountView, parentId: string): Promise<Parent> {
    const id = parentId.replace(/^(AG|C)/, '');
    if (!isIdText(id)) throw new NotFound('Keyword parent not found.');
    if (!parentId.startsWith('C')) {
      const group = await repo.adGroup(this.deps.db, account.id, id);
      if (group) return { type: 'ad_group', id, group };
    }
    if (!parentId.startsWith('AG') && (await repo.campaignExists(this.deps.db, account.id, id)))
      return { type: 'campaign', id };
    if (/^\d/.test(parentId) && id === account.id) return { type: 'advertiser', id };
    throw new NotFound(`parent_id ${parentId} is not an ad group, campaign or the ad account itself.`);
  }
}

/** A search count as the range shown (the spec's keyword_query_volume, e.g. "5M+"). */
export function volumeRange(count: number): string {
  const ranges: [number, string][] = [
    [100, '<100'],
    [1_000, '100-1K'],
    [10_000, '1K-10K'],
    [100_000, '10K-100K'],
    [1_000_000, '100K-1M'],
    [5_000_000, '1M-5M'],
  ];
  for (const [below, label] of ranges) if (count < below) return label;
  return '5M+';
}
