import type { Db } from '../../../platform/db/database.js';
import { pinInterests } from '../../interests/index.js';
import { adCatalogRepository as repo, type ServableAdRow } from './ad-catalog.repository.js';
import { compileTargeting, type LiveAdGroup, type Placement } from './eligibility.js';
import { type KeywordRule, type MatchType, words } from './keyword-match.js';

/** A servable ad as the ad server holds it: the auction's inputs and its ad group's state. */
export interface ServableAd {
  readonly adId: string;
  readonly adGroupId: string;
  readonly campaignId: string;
  readonly accountId: string;
  readonly advertiserId: string;
  readonly advertiserName: string;
  readonly currency: string;
  readonly pinId: string;
  readonly destinationUrl: string | null;
  readonly billableEvent: 'CLICKTHROUGH' | 'IMPRESSION';
  readonly bidMicro: number | null;
  readonly bidStrategy: string;
  readonly budgetType: string;
  readonly budgetMicro: number | null;
  readonly pacing: string;
  readonly campaignDailyCapMicro: number | null;
  readonly campaignLifetimeCapMicro: number | null;
  /** Interests of the promoted pin's text (the quality guard's measure of relevance). */
  readonly pinInterests: ReadonlySet<string>;
  readonly group: LiveAdGroup;
}

const num = (v: string | null) => (v === null ? null : Number(v));
const ms = (d: Date | null) => (d ? new Date(d).getTime() : null);
const PLACEMENTS: Placement[] = ['BROWSE', 'SEARCH'];

/**
 * One consistent view of every servable ad, indexed so a request reads only its candidates: per placement,
 * ads by targeted interest (and those targeting no interest), and for search, ads by the words of their
 * targeting keywords (and those with none). Eligibility is checked on the candidates afterwards.
 */
export class CatalogSnapshot {
  // Lists of ads by their place in `ads`.
  private readonly open = new Map<Placement, number[]>();
  private readonly byInterest = new Map<Placement, Map<string, number[]>>();
  private readonly byKeywordWord = new Map<string, number[]>();
  private readonly searchWithoutKeywords: number[] = [];
  /** Per ad, the call of `candidates` that took it last: each ad once per call, without a set. */
  private readonly taken: Uint32Array;
  private call = 0;
  /** Whether any ad group caps how often a person sees its ads (then a viewer's counts are read). */
  readonly hasFrequencyCaps: boolean;

  constructor(readonly ads: readonly ServableAd[]) {
    this.hasFrequencyCaps = ads.some((a) => a.group.frequencyCap !== null);
    this.taken = new Uint32Array(ads.length);
    for (const p of PLACEMENTS) {
      this.open.set(p, []);
      this.byInterest.set(p, new Map());
    }
    ads.forEach((ad, n) => {
      const placements =
        ad.group.placementGroup === 'ALL' ? PLACEMENTS : [ad.group.placementGroup as Placement];
      const interests = ad.group.rules.interests;
      for (const p of placements) {
        if (!this.open.has(p)) continue;
        if (interests) {
          const index = this.byInterest.get(p)!;
          for (const i of interests) push(index, i, n);
        } else this.open.get(p)!.push(n);
      }
      if (placements.includes('SEARCH')) {
        const targeting = ad.group.keywords.filter((k) => !k.matchType.endsWith('_NEGATIVE'));
        if (targeting.length === 0) this.searchWithoutKeywords.push(n);
        for (const w of new Set(targeting.flatMap((k) => words(k.value)))) push(this.byKeywordWord, w, n);
      }
    });
  }

  /**
   * The ads that may be eligible on a placement for someone with these interests (and, on search, this
   * query): a superset of the eligible, each once. Their order is the index's: the auction ranks them.
   */
  candidates(placement: Placement, interests: ReadonlySet<string>, query?: string): ServableAd[] {
    if (++this.call === 0xffff_ffff) {
      this.taken.fill(0);
      this.call = 1;
    }
    const call = this.call;
    const out: ServableAd[] = [];
    const add = (list: readonly number[] | undefined, byInterest: boolean) => {
      if (!list) return;
      for (const n of list) {
        if (this.taken[n] === call) continue;
        const ad = this.ads[n]!;
        if (byInterest) {
          const wanted = ad.group.rules.interests;
          if (wanted && !wanted.some((i) => interests.has(i))) continue;
        }
        this.taken[n] = call;
        out.push(ad);
      }
    };
    if (placement === 'SEARCH') {
      for (const w of words(query ?? '')) add(this.byKeywordWord.get(w), true);
      add(this.searchWithoutKeywords, true);
    } else {
      add(this.open.get(placement), false);
      const index = this.byInterest.get(placement)!;
      for (const i of interests) add(index.get(i), false);
    }
    return out;
  }
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export interface AdCatalogDeps {
  readonly db: Db;
  readonly now?: () => number;
  /** A full reload at least this often, whatever the version says (pins turning secret, schedules). */
  readonly fullReloadMs?: number;
}

/**
 * The live ads of this node, reloaded when what they are read from changes (a cheap version query run
 * every few seconds by the caller), so pausing, archiving, a new ad or a changed bid reach every node
 * within one refresh interval.
 */
export class AdCatalog {
  private current = new CatalogSnapshot([]);
  private version: string | undefined;
  private loadedAt = 0;

  constructor(private readonly deps: AdCatalogDeps) {}

  snapshot(): CatalogSnapshot {
    return this.current;
  }

  /** Reloads when the ads changed, or the last full load is old; answers whether it reloaded. */
  async refresh(force = false): Promise<boolean> {
    const now = this.deps.now?.() ?? Date.now();
    const version = await repo.version(this.deps.db);
    const stale = now - this.loadedAt >= (this.deps.fullReloadMs ?? 60_000);
    if (!force && !stale && version === this.version) return false;
    const rows = await repo.servable(this.deps.db, new Date(now));
    const [keywords, interests] = await Promise.all([
      repo.keywords(this.deps.db, [...new Set(rows.map((r) => r.ad_account_id))]),
      pinInterests(this.deps.db, [...new Set(rows.map((r) => r.pin_id))]),
    ]);
    this.current = new CatalogSnapshot(
      rows.map((r) => servableAd(r, keywords, new Set(interests.get(r.pin_id)?.keys() ?? []))),
    );
    this.version = version;
    this.loadedAt = now;
    return true;
  }
}

function servableAd(
  r: ServableAdRow,
  keywords: Awaited<ReturnType<typeof repo.keywords>>,
  pinInterestIds: ReadonlySet<string>,
): ServableAd {
  const rule = (k: { value: string; match_type: string }): KeywordRule => ({
    value: k.value,
    matchType: k.match_type as MatchType,
  });
  const own = keywords.filter((k) => k.parent_type === 'ad_group' && k.parent_id === r.ad_group_id).map(rule);
  const inherited = keywords
    .filter(
      (k) =>
        k.match_type.endsWith('_NEGATIVE') &&
        ((k.parent_type === 'campaign' && k.parent_id === r.campaign_id) ||
          (k.parent_type === 'advertiser' && k.parent_id === r.ad_account_id)),
    )
    .map(rule);
  return {
    adId: r.ad_id,
    adGroupId: r.ad_group_id,
    campaignId: r.campaign_id,
    accountId: r.ad_account_id,
    advertiserId: r.advertiser_id,
    advertiserName: r.advertiser_name,
    currency: r.currency,
    pinId: r.pin_id,
    destinationUrl: r.destination_url,
    billableEvent: r.billable_event === 'IMPRESSION' ? 'IMPRESSION' : 'CLICKTHROUGH',
    bidMicro: num(r.bid),
    bidStrategy: r.bid_strategy_type ?? 'AUTOMATIC_BID',
    budgetType: r.budget_type,
    budgetMicro: num(r.budget),
    pacing: r.pacing_delivery_type,
    campaignDailyCapMicro: num(r.daily_spend_cap),
    campaignLifetimeCapMicro: num(r.lifetime_spend_cap),
    pinInterests: pinInterestIds,
    group: {
      id: r.ad_group_id,
      status: r.group_status,
      campaignStatus: r.campaign_status,
      start: ms(r.group_start),
      end: ms(r.group_end),
      campaignStart: ms(r.campaign_start),
      campaignEnd: ms(r.campaign_end),
      placementGroup: r.placement_group,
      targeting: r.targeting_spec as LiveAdGroup['targeting'],
      rules: compileTargeting(r.targeting_spec as LiveAdGroup['targeting']),
      keywords: own,
      inheritedNegatives: inherited,
      frequencyCap: r.lifetime_frequency_cap,
    },
  };
}
