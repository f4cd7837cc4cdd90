import type { Db } from '../../../platform/db/database.js';
import type { Placement } from './eligibility.js';
import { type ClickStats, type CtrPrior, DEFAULT_CTR_PRIOR, predictCtr } from './pctr.js';

type Totals = { clicks: number; impressions: number };

const add = (map: Map<string, Totals>, key: string, clicks: number, impressions: number) => {
  const t = map.get(key);
  if (t) {
    t.clicks += clicks;
    t.impressions += impressions;
  } else map.set(key, { clicks, impressions });
};

const NONE: ClickStats = { clicks: 0, impressions: 0 };

/**
 * Click history per ad, ad group, campaign and placement, read from ad_placement_stats (rolled up from
 * the event stream, shared by every node), and the click-through rate it predicts. Loaded whole: two
 * rows per ad at most. A node reloads it every few seconds, so predictions follow the events.
 */
export class CtrBook {
  private constructor(
    private readonly ads: Map<string, Totals>,
    private readonly groups: Map<string, Totals>,
    private readonly campaigns: Map<string, Totals>,
    private readonly placements: Map<string, Totals>,
    private readonly prior: CtrPrior,
  ) {}

  /** An empty book: every prediction is the prior's base rate. */
  static empty(prior: CtrPrior = DEFAULT_CTR_PRIOR): CtrBook {
    return new CtrBook(new Map(), new Map(), new Map(), new Map(), prior);
  }

  /** The book as ad_placement_stats holds it now. */
  static async load(db: Db, prior: CtrPrior = DEFAULT_CTR_PRIOR): Promise<CtrBook> {
    const rows = await db
      .selectFrom('ad_placement_stats')
      .select(['ad_id', 'placement', 'ad_group_id', 'campaign_id', 'impressions', 'clicks'])
      .execute();
    const ads = new Map<string, Totals>();
    const groups = new Map<string, Totals>();
    const campaigns = new Map<string, Totals>();
    const placements = new Map<string, Totals>();
    for (const r of rows) {
      const clicks = Number(r.clicks);
      const impressions = Number(r.impressions);
      add(ads, `${r.ad_id}:${r.placement}`, clicks, impressions);
      add(groups, `${r.ad_group_id}:${r.placement}`, clicks, impressions);
      add(campaigns, `${r.campaign_id}:${r.placement}`, clicks, impressions);
      add(placements, r.placement, clicks, impressions);
    }
    return new CtrBook(ads, groups, campaigns, placements, prior);
  }

  /**
   * Predictions made, per placement and ad object (the book never changes, a reload makes a new one; the
   * catalog hands out the same ad objects until it reloads).
   */
  private readonly predicted = new Map<Placement, WeakMap<object, number>>();

  /** The predicted click-through rate of an ad on a placement. */
  predict(ad: { adId: string; adGroupId: string; campaignId: string }, placement: Placement): number {
    let made = this.predicted.get(placement);
    if (!made) {
      made = new WeakMap();
      this.predicted.set(placement, made);
    }
    let rate = made.get(ad);
    if (rate === undefined) {
      rate = this.compute(ad, placement);
      made.set(ad, rate);
    }
    return rate;
  }

  private compute(ad: { adId: string; adGroupId: string; campaignId: string }, placement: Placement): number {
    return predictCtr(
      {
        ad: this.ads.get(`${ad.adId}:${placement}`) ?? NONE,
        adGroup: this.groups.get(`${ad.adGroupId}:${placement}`) ?? NONE,
        campaign: this.campaigns.get(`${ad.campaignId}:${placement}`) ?? NONE,
        placement: this.placements.get(placement) ?? NONE,
      },
      this.prior,
    );
  }
}
