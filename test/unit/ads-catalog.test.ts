import { describe, expect, it } from 'vitest';
import { CatalogSnapshot, type ServableAd } from '../../src/modules/ads/serving/ad-catalog.js';
import {
  ineligibility,
  type Placement,
  type ViewerProfile,
} from '../../src/modules/ads/serving/eligibility.js';
import { type KeywordRule, words } from '../../src/modules/ads/serving/keyword-match.js';
import { makeServableAd } from '../helpers/ad-factories.js';
import { prng } from '../helpers/prng.js';

const INTERESTS = ['i1', 'i2', 'i3', 'i4', 'i5', 'i6'];
const WORDS = ['lamp', 'rug', 'sofa', 'cake', 'plant'];

/** A seeded catalog of ads with every mix of placement, interests and keywords. */
function catalog(seed: number, n: number): ServableAd[] {
  const r = prng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)]!;
  return Array.from({ length: n }, (_, i) => {
    const interests = r() < 0.6 ? [pick(INTERESTS), pick(INTERESTS)] : [];
    const keywords: KeywordRule[] =
      r() < 0.6
        ? [
            {
              value: `${pick(WORDS)} ${pick(WORDS)}`,
              matchType: pick(['BROAD', 'PHRASE', 'EXACT'] as const),
            },
            ...(r() < 0.2 ? [{ value: pick(WORDS), matchType: 'PHRASE_NEGATIVE' as const }] : []),
          ]
        : [];
    return makeServableAd(String(i), {
      group: {
        placementGroup: pick(['ALL', 'BROWSE', 'SEARCH']),
        targeting: interests.length ? { INTEREST: interests } : {},
        keywords,
      },
    });
  });
}

describe('CatalogSnapshot.candidates', () => {
  it('answers each ad once, and every ad the checks would let through, on seeded catalogs and requests', () => {
    for (const seed of [1, 2, 3]) {
      const ads = catalog(seed, 300);
      const snapshot = new CatalogSnapshot(ads);
      const r = prng(100 + seed);
      for (let q = 0; q < 200; q++) {
        const placement: Placement = r() < 0.5 ? 'SEARCH' : 'BROWSE';
        const interests = new Set(INTERESTS.filter(() => r() < 0.3));
        const query = placement === 'SEARCH' ? `${WORDS[q % WORDS.length]} ideas` : undefined;
        const got = snapshot.candidates(placement, interests, query);
        const ids = got.map((a) => a.adId);
        expect(new Set(ids).size).toBe(ids.length);
        const viewer: ViewerProfile = {
          userId: 'v',
          interests,
          locale: null,
          country: null,
          gender: null,
          ageBucket: null,
          appType: null,
          audiences: new Set(),
        };
        const eligible = ads
          .filter((a) => ineligibility(a.group, viewer, { placement, nowMs: 0, query }) === null)
          .map((a) => a.adId);
        expect(ids).toEqual(expect.arrayContaining(eligible));
        // Nothing the indexes rule out: on the placement, interests met, and on search a keyword word asked.
        for (const a of got) {
          expect(['ALL', placement]).toContain(a.group.placementGroup);
          const wanted = a.group.rules.interests;
          if (wanted) expect(wanted.some((i) => interests.has(i))).toBe(true);
          const own = a.group.keywords.filter((k) => !k.matchType.endsWith('_NEGATIVE'));
          if (placement === 'SEARCH' && own.length > 0)
            expect(own.some((k) => words(k.value).some((w) => words(query!).includes(w)))).toBe(true);
        }
        // A second call answers the same (each call takes its ads afresh).
        expect(snapshot.candidates(placement, interests, query).map((a) => a.adId)).toEqual(ids);
      }
    }
  });
});
