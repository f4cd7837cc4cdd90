// The ranking settings of one person's home feed: the configured ones, unless an experiment the person
// is in sets them (docs/experiments-exposures.md, "Parameters serving reads").
import type { Config } from '../../platform/config.js';
import type { ExperimentParams } from '../experiments/index.js';
import type { RankOptions } from './ranker.js';

/** The parameter names the home feed reads, with the range each value must be in to be used. */
export const FEED_PARAMS = {
  shareFollowing: 'feed.share.following',
  shareRelated: 'feed.share.related',
  sharePopular: 'feed.share.popular',
  diversityMax: 'feed.diversity.max',
  diversityWindow: 'feed.diversity.window',
} as const;

export const FEED_PARAM_NAMES: readonly string[] = Object.values(FEED_PARAMS);

/** Shares are relative weights (any non-negative number); the diversity rule's bounds are FEED_DIVERSITY_*'s. */
const SHARE = { min: 0, max: 1_000_000 };
const DIVERSITY_MAX = { min: 1, max: 100, integer: true };
const DIVERSITY_WINDOW = { min: 1, max: 250, integer: true };

/**
 * The shares and diversity the ranker uses for a person: each value from the experiment that sets it,
 * else the configured one. Reading them is the exposure, so call this only when ranking. Shares that
 * would all be 0 (each allowed alone) give the configured shares: the ranker needs one to blend by.
 */
export function rankSettings(
  params: ExperimentParams | undefined,
  config: Pick<Config, 'feedShares' | 'feedDiversity'>,
): Pick<RankOptions, 'shares' | 'diversity'> {
  if (!params) return { shares: config.feedShares, diversity: config.feedDiversity };
  const { feedShares: s, feedDiversity: d } = config;
  const shares = {
    following: params.bounded(FEED_PARAMS.shareFollowing, s.following, SHARE),
    related: params.bounded(FEED_PARAMS.shareRelated, s.related, SHARE),
    popular: params.bounded(FEED_PARAMS.sharePopular, s.popular, SHARE),
  };
  return {
    shares: shares.following + shares.related + shares.popular > 0 ? shares : s,
    diversity: {
      max: params.bounded(FEED_PARAMS.diversityMax, d.max, DIVERSITY_MAX),
      window: params.bounded(FEED_PARAMS.diversityWindow, d.window, DIVERSITY_WINDOW),
    },
  };
}
