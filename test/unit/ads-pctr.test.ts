import { describe, expect, it } from 'vitest';
import { DEFAULT_CTR_PRIOR, predictCtr, smooth } from '../../src/modules/ads/serving/pctr.js';

const none = { clicks: 0, impressions: 0 };

describe('predicted click-through rate', () => {
  it('starts at the base rate and follows each level down to the ad', () => {
    expect(predictCtr({})).toBeCloseTo(DEFAULT_CTR_PRIOR.base, 12);
    // A placement that clicks at 2% over many impressions moves the prior of everything below it.
    const placement = { clicks: 2_000, impressions: 100_000 };
    const p = predictCtr({ placement });
    expect(p).toBeGreaterThan(0.019);
    expect(p).toBeLessThan(0.02);
    // A new ad in an ad group with history starts at the ad group's rate.
    const adGroup = { clicks: 300, impressions: 10_000 };
    const group = predictCtr({ placement, adGroup });
    expect(predictCtr({ placement, adGroup, ad: none })).toBe(group);
    expect(group).toBeGreaterThan(0.025);
  });

  it("lets an ad's own history take over as its impressions grow", () => {
    const prior = { placement: { clicks: 1_000, impressions: 100_000 } };
    const rates = [0, 100, 1_000, 100_000].map((impressions) =>
      predictCtr({ ...prior, ad: { clicks: impressions * 0.05, impressions } }),
    );
    for (let i = 1; i < rates.length; i++) expect(rates[i]).toBeGreaterThan(rates[i - 1]!);
    expect(rates[3]).toBeGreaterThan(0.0495);
    // After as many impressions as its strength, its own rate weighs as much as the prior.
    expect(smooth({ clicks: 25, impressions: 500 }, 0.01, 500)).toBeCloseTo((0.05 + 0.01) / 2, 12);
  });

  it('treats more clicks than impressions as a counting error', () => {
    expect(smooth({ clicks: 50, impressions: 10 }, 0.01, 10)).toBe(
      smooth({ clicks: 10, impressions: 10 }, 0.01, 10),
    );
    expect(smooth({ clicks: -5, impressions: -1 }, 0.02, 100)).toBeCloseTo(0.02, 12);
  });
});
