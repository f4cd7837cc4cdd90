import { describe, expect, it } from 'vitest';
import { ineligibility, type ViewerProfile } from '../../src/modules/ads/serving/eligibility.js';
import { keywordMatches, keywordsAllow, words } from '../../src/modules/ads/serving/keyword-match.js';
import { makeLiveAdGroup } from '../helpers/ad-factories.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const HOUR = 3_600_000;

const viewer = (over: Partial<ViewerProfile> = {}): ViewerProfile => ({
  userId: 'u1',
  interests: new Set(['i-decor']),
  locale: 'en-GB',
  country: 'GB',
  gender: 'female',
  ageBucket: '25-34',
  appType: 'web',
  audiences: new Set(['a1']),
  ...over,
});

const browse = { placement: 'BROWSE' as const, nowMs: NOW };
const search = (query: string) => ({ placement: 'SEARCH' as const, nowMs: NOW, query });

describe('keyword matching', () => {
  const q = words('Brass floor lamp, mid-century');
  it('matches by type', () => {
    expect(q).toEqual(['brass', 'floor', 'lamp', 'mid', 'century']);
    expect(keywordMatches({ value: 'lamp brass', matchType: 'BROAD' }, q)).toBe(true);
    expect(keywordMatches({ value: 'lamp brass', matchType: 'PHRASE' }, q)).toBe(false);
    expect(keywordMatches({ value: 'floor lamp', matchType: 'PHRASE' }, q)).toBe(true);
    expect(keywordMatches({ value: 'floor lamp', matchType: 'EXACT' }, q)).toBe(false);
    expect(keywordMatches({ value: 'Floor  Lamp', matchType: 'EXACT' }, words('floor lamp'))).toBe(true);
    expect(keywordMatches({ value: 'desk lamp', matchType: 'BROAD' }, q)).toBe(false);
  });
  it('lets excluding keywords win, and needs a targeting keyword when there are any', () => {
    const own = [
      { value: 'lamp', matchType: 'BROAD' as const },
      { value: 'cheap', matchType: 'PHRASE_NEGATIVE' as const },
    ];
    expect(keywordsAllow(own, [], 'brass lamp')).toBe(true);
    expect(keywordsAllow(own, [], 'cheap brass lamp')).toBe(false);
    expect(keywordsAllow(own, [{ value: 'brass lamp', matchType: 'EXACT_NEGATIVE' }], 'brass lamp')).toBe(
      false,
    );
    expect(keywordsAllow(own, [], 'rug')).toBe(false);
    expect(keywordsAllow([], [], 'rug')).toBe(true);
  });
});

describe('eligibility', () => {
  it('needs the ad group and its campaign active and inside their schedules', () => {
    expect(ineligibility(makeLiveAdGroup(), viewer(), browse)).toBeNull();
    expect(ineligibility(makeLiveAdGroup({ status: 'PAUSED' }), viewer(), browse)).toBe('status');
    expect(ineligibility(makeLiveAdGroup({ campaignStatus: 'ARCHIVED' }), viewer(), browse)).toBe('status');
    expect(ineligibility(makeLiveAdGroup({ start: NOW + HOUR }), viewer(), browse)).toBe('schedule');
    expect(ineligibility(makeLiveAdGroup({ end: NOW }), viewer(), browse)).toBe('schedule');
    expect(ineligibility(makeLiveAdGroup({ campaignEnd: NOW - 1 }), viewer(), browse)).toBe('schedule');
    expect(
      ineligibility(makeLiveAdGroup({ start: NOW - HOUR, end: NOW + HOUR }), viewer(), browse),
    ).toBeNull();
  });

  it('shows on its placements only', () => {
    expect(ineligibility(makeLiveAdGroup({ placementGroup: 'SEARCH' }), viewer(), browse)).toBe('placement');
    expect(ineligibility(makeLiveAdGroup({ placementGroup: 'BROWSE' }), viewer(), search('lamp'))).toBe(
      'placement',
    );
    expect(ineligibility(makeLiveAdGroup({ placementGroup: 'SEARCH' }), viewer(), search('lamp'))).toBeNull();
  });

  it('matches each targeting type, and what the viewer did not tell matches nothing but "unknown"', () => {
    const cases: [Record<string, string[] | string>, Partial<ViewerProfile>, string | null][] = [
      [{ INTEREST: ['i-decor', 'i-food'] }, {}, null],
      [{ INTEREST: ['i-food'] }, {}, 'interest'],
      [{ GENDER: ['female'] }, {}, null],
      [{ GENDER: ['male'] }, {}, 'gender'],
      [{ GENDER: ['female'] }, { gender: null }, 'gender'],
      [{ GENDER: ['unknown'] }, { gender: null }, null],
      [{ AGE_BUCKET: ['25-34'] }, {}, null],
      [{ AGE_BUCKET: ['18-24'] }, {}, 'age'],
      [{ AGE_BUCKET: ['25-34'] }, { ageBucket: null }, 'age'],
      [{ MINIMUM_AGE: '21', MAXIMUM_AGE: '40' }, {}, null],
      [{ MINIMUM_AGE: '30', MAXIMUM_AGE: '65+' }, {}, 'age'],
      [{ MINIMUM_AGE: '25', MAXIMUM_AGE: '65+' }, { ageBucket: '65+' }, null],
      [{ LOCALE: ['en'] }, {}, null],
      [{ LOCALE: ['en-GB'] }, {}, null],
      [{ LOCALE: ['fr'] }, {}, 'locale'],
      [{ LOCATION: ['GB', 'IE'] }, {}, null],
      [{ GEO: ['US-CA'] }, { country: 'US' }, 'location'],
      [{ LOCATION: ['US'] }, { country: null }, 'location'],
      [{ APPTYPE: ['web', 'iphone'] }, {}, null],
      [{ APPTYPE: ['ipad'] }, {}, 'apptype'],
      [{ AUDIENCE_INCLUDE: ['a1'] }, {}, null],
      [{ AUDIENCE_INCLUDE: ['a2'] }, {}, 'audience'],
      [{ AUDIENCE_EXCLUDE: ['a1'] }, {}, 'audience'],
    ];
    for (const [targeting, who, reason] of cases) {
      expect(
        ineligibility(makeLiveAdGroup({ targeting }), viewer(who), browse),
        JSON.stringify([targeting, who]),
      ).toBe(reason);
    }
  });

  it("counts what is on screen as the viewer's interests (related pins)", () => {
    const g = makeLiveAdGroup({ targeting: { INTEREST: ['i-garden'] } });
    expect(ineligibility(g, viewer(), browse)).toBe('interest');
    expect(ineligibility(g, viewer(), { ...browse, contextInterests: new Set(['i-garden']) })).toBeNull();
  });

  it('matches keywords on search only, and stops at the frequency cap', () => {
    const g = makeLiveAdGroup({ keywords: [{ value: 'floor lamp', matchType: 'PHRASE' }], frequencyCap: 3 });
    expect(ineligibility(g, viewer(), search('brass floor lamp'))).toBeNull();
    expect(ineligibility(g, viewer(), search('rug'))).toBe('keyword');
    expect(ineligibility(g, viewer(), browse)).toBeNull();
    expect(ineligibility(g, viewer(), browse, 2)).toBeNull();
    expect(ineligibility(g, viewer(), browse, 3)).toBe('frequency');
  });
});
