// The auction's reserve price and the layout's slots for one viewer: the configured ones (ADS_*),
// unless an experiment the viewer is in sets them (docs/experiments-exposures.md).
import type { AdsServingConfig } from '../../../platform/config.js';
import type { ExperimentParams } from '../../experiments/index.js';
import type { Placement } from './eligibility.js';
import type { InsertionSettings } from './insertion.js';

/** The parameter names the ad server reads. */
export const AD_PARAMS = {
  reserveBrowse: 'ads.reserve_ecpm_micro.browse',
  reserveSearch: 'ads.reserve_ecpm_micro.search',
  firstSlot: 'ads.first_slot',
  spacing: 'ads.spacing',
} as const;

/** Micro per thousand impressions; 0 leaves only the ad groups' floors. */
const RESERVE = { min: 0, max: 1_000_000_000_000, integer: true };
/** The bounds of ADS_FIRST_SLOT and ADS_SPACING (insertAds needs at least one organic pin between ads). */
const FIRST_SLOT = { min: 0, max: 100, integer: true };
const SPACING = { min: 1, max: 100, integer: true };

/** Where a page's ads go for this viewer. Reading it exposes the viewer to an experiment that sets it. */
export function layoutFor(
  params: ExperimentParams | undefined,
  settings: Pick<AdsServingConfig, 'firstSlot' | 'spacing'>,
): InsertionSettings {
  if (!params) return settings;
  return {
    firstSlot: params.bounded(AD_PARAMS.firstSlot, settings.firstSlot, FIRST_SLOT),
    spacing: params.bounded(AD_PARAMS.spacing, settings.spacing, SPACING),
  };
}

/** The least eCPM an ad must reach in this placement for this viewer (micro per thousand impressions). */
export function reserveFor(
  params: ExperimentParams | undefined,
  settings: Pick<AdsServingConfig, 'reserveEcpmMicro'>,
  placement: Placement,
): number {
  const configured = settings.reserveEcpmMicro[placement];
  if (!params) return configured;
  const name = placement === 'SEARCH' ? AD_PARAMS.reserveSearch : AD_PARAMS.reserveBrowse;
  return params.bounded(name, configured, RESERVE);
}
