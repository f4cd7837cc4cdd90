/**
 * Predicted click-through rate of an ad on a placement: its own clicks and impressions smoothed toward
 * its ad group's rate, that toward its campaign's, and that toward the placement's, each level a Beta
 * prior whose mean is the level above and whose strength is a number of pseudo-impressions:
 *
 *   placement = (clicks_p + S_p · BASE) / (impressions_p + S_p)
 *   campaign  = (clicks_c + S_c · placement) / (impressions_c + S_c)
 *   ad group  = (clicks_g + S_g · campaign)  / (impressions_g + S_g)
 *   ad        = (clicks_a + S_a · ad group)  / (impressions_a + S_a)
 *
 * A new ad starts at its ad group's rate (itself its campaign's, ...), and its own history takes over as
 * impressions pass the strength: after S_a impressions its own rate weighs as much as the prior. This is
 * the posterior mean of a Beta-Binomial model with an empirical-Bayes prior at each level.
 */

/** Clicks and impressions of one level, on the placement predicted for. */
export interface ClickStats {
  readonly clicks: number;
  readonly impressions: number;
}

/** The history a prediction is made from: the ad's and each level above it, on one placement. */
export interface CtrHistory {
  readonly ad: ClickStats;
  readonly adGroup: ClickStats;
  readonly campaign: ClickStats;
  readonly placement: ClickStats;
}

/** Prior strengths, in pseudo-impressions per level, and the rate a placement starts from. */
export interface CtrPrior {
  readonly base: number;
  readonly placement: number;
  readonly campaign: number;
  readonly adGroup: number;
  readonly ad: number;
}

/**
 * Defaults: a placement with no history starts at 1% (promoted pins' click-through is around 0.2% to 2%)
 * and needs 10,000 impressions to move far from it; lower levels need fewer to show their own rate.
 */
export const DEFAULT_CTR_PRIOR: CtrPrior = {
  base: 0.01,
  placement: 10_000,
  campaign: 2_000,
  adGroup: 1_000,
  ad: 500,
};

const EMPTY: ClickStats = { clicks: 0, impressions: 0 };

/** The posterior mean of one level given its stats and the rate and strength of its prior. */
export function smooth(stats: ClickStats, priorRate: number, strength: number): number {
  const impressions = Math.max(0, stats.impressions);
  // Clicks are capped by impressions: a rate above 1 is a counting error, not evidence.
  const clicks = Math.min(Math.max(0, stats.clicks), impressions);
  return (clicks + strength * priorRate) / (impressions + strength);
}

/** The ad's predicted click-through rate on the placement, in (0, 1). */
export function predictCtr(history: Partial<CtrHistory>, prior: CtrPrior = DEFAULT_CTR_PRIOR): number {
  const placement = smooth(history.placement ?? EMPTY, prior.base, prior.placement);
  const campaign = smooth(history.campaign ?? EMPTY, placement, prior.campaign);
  const adGroup = smooth(history.adGroup ?? EMPTY, campaign, prior.adGroup);
  return smooth(history.ad ?? EMPTY, adGroup, prior.ad);
}
